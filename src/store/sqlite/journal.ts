import type { JournalEntry, StepFinish, StepStart } from '../store.js';
import type { SqliteDatabase } from './open.js';
import { toJournalEntry, toJson, type JournalRow } from './rows.js';

export interface JournalOps {
  startStep(callId: string, token: number, step: StepStart): number | null;
  finishStep(callId: string, token: number, entryId: number, finish: StepFinish): boolean;
  listJournal(callId: string): JournalEntry[];
}

const HOLDS_LEASE = `id = @callId AND lease_token = @token AND status = 'running'`;

/**
 * Journal writes are single statements whose fence is part of the statement itself, so the check and
 * the write cannot be separated by another writer.
 */
export function createJournalOps(db: SqliteDatabase): JournalOps {
  const start = db.prepare(
    `INSERT INTO journal (workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token,
       request, started_at)
     SELECT workspace, id, @attempt, @stepPath, @kind, @target, @effect, @workerId, lease_token, @request, @now
     FROM calls WHERE ${HOLDS_LEASE}`,
  );
  const finish = db.prepare(
    `UPDATE journal SET status = @status, output = @output, error = @error, response = @response, finished_at = @now
     WHERE id = @entryId AND call_id = @callId AND lease_token = @token AND status = 'started'
       AND EXISTS (SELECT 1 FROM calls WHERE ${HOLDS_LEASE})`,
  );
  const list = db.prepare<[string], JournalRow>('SELECT * FROM journal WHERE call_id = ? ORDER BY id');

  return {
    startStep(callId, token, step) {
      const result = start.run({ ...step, callId, token, request: toJson(step.request), now: Date.now() });
      return result.changes === 1 ? Number(result.lastInsertRowid) : null;
    },
    finishStep(callId, token, entryId, f) {
      const params = { callId, token, entryId, status: f.status, now: Date.now() };
      const json = { output: toJson(f.output), error: toJson(f.error), response: toJson(f.response) };
      return finish.run({ ...params, ...json }).changes === 1;
    },
    listJournal: (callId) => list.all(callId).map(toJournalEntry),
  };
}
