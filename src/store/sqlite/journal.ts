import type { JournalEntry, JournalWrite, StepFinish, StepStart } from '../store.js';
import type { SqliteDatabase } from './open.js';
import { toJournalEntry, toJson, type JournalRow } from '../rows.js';

export interface JournalOps {
  startStep(callId: string, token: number, step: StepStart, writes?: JournalWrite[]): number | null;
  /** Applies write-behind entries; call inside the transaction of the write that carries them. */
  applyWrites(callId: string, token: number, writes: readonly JournalWrite[]): void;
  appendJournal(callId: string, token: number, writes: readonly JournalWrite[]): boolean;
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
  // The same, found by the step's place in the attempt (journal_by_call narrows it to the call's rows).
  const finishAt = db.prepare(
    `UPDATE journal SET status = @status, output = @output, error = @error, response = @response, finished_at = @now
     WHERE call_id = @callId AND attempt = @attempt AND step_path = @stepPath AND lease_token = @token
       AND status = 'started' AND EXISTS (SELECT 1 FROM calls WHERE ${HOLDS_LEASE})`,
  );
  const record = db.prepare(
    `INSERT INTO journal (workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token,
       request, started_at, status, output, error, response, finished_at)
     SELECT workspace, id, @attempt, @stepPath, @kind, @target, @effect, @workerId, lease_token, @request, @now,
       @status, @output, @error, @response, @now
     FROM calls WHERE ${HOLDS_LEASE}`,
  );
  const holdsLease = db.prepare(`SELECT 1 FROM calls WHERE ${HOLDS_LEASE}`).pluck();
  const list = db.prepare<[string], JournalRow>('SELECT * FROM journal WHERE call_id = ? ORDER BY id');

  const finishParams = (f: StepFinish) => ({
    status: f.status,
    output: toJson(f.output),
    error: toJson(f.error),
    response: toJson(f.response),
  });
  const startOne = (callId: string, token: number, step: StepStart): number | null => {
    const result = start.run({ ...step, callId, token, request: toJson(step.request), now: Date.now() });
    return result.changes === 1 ? Number(result.lastInsertRowid) : null;
  };
  const applyWrites = (callId: string, token: number, writes: readonly JournalWrite[]): void => {
    const now = Date.now();
    for (const w of writes) {
      if (w.kind === 'start') startOne(callId, token, w.start);
      else if (w.kind === 'finish')
        finishAt.run({
          callId,
          token,
          attempt: w.attempt,
          stepPath: w.stepPath,
          now,
          ...finishParams(w.finish),
        });
      else
        record.run({
          ...w.start,
          callId,
          token,
          request: toJson(w.start.request),
          now,
          ...finishParams(w.finish),
        });
    }
  };
  const startWithWrites = db.transaction(
    (callId: string, token: number, step: StepStart, writes: readonly JournalWrite[]) => {
      // The carried entries belong to earlier steps: they go first, so the journal keeps the order the
      // steps ran in (each write is fenced: a stale holder's writes change nothing).
      applyWrites(callId, token, writes);
      return startOne(callId, token, step);
    },
  );

  return {
    startStep(callId, token, step, writes) {
      return writes && writes.length > 0
        ? startWithWrites.immediate(callId, token, step, writes)
        : startOne(callId, token, step);
    },
    applyWrites,
    appendJournal(callId, token, writes) {
      if (!holdsLease.get({ callId, token })) return false;
      applyWrites(callId, token, writes);
      return true;
    },
    finishStep(callId, token, entryId, f) {
      return finish.run({ callId, token, entryId, now: Date.now(), ...finishParams(f) }).changes === 1;
    },
    listJournal: (callId) => list.all(callId).map(toJournalEntry),
  };
}
