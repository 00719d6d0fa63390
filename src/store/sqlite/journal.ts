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

const HOLDS_LEASE = `id = ? AND lease_token = ? AND status = 'running'`;

/** The bound values of a step's start: attempt, step path, kind, target, effect, worker, request. */
type StartValues = [number, string, string, string | null, string, string, string | null];
/** The bound values of a step's end: status, output, error, response. */
type FinishValues = [string, string | null, string | null, string | null];

const startValues = (s: StepStart): StartValues => [
  s.attempt,
  s.stepPath,
  s.kind,
  s.target,
  s.effect,
  s.workerId,
  toJson(s.request),
];
const finishValues = (f: StepFinish): FinishValues => [
  f.status,
  toJson(f.output),
  toJson(f.error),
  toJson(f.response),
];

/**
 * Journal writes are single statements whose fence is part of the statement itself, so the check and
 * the write cannot be separated by another writer. Parameters are positional: these statements run on
 * every call's path, where a named binding costs a property lookup per value.
 */
export function createJournalOps(db: SqliteDatabase): JournalOps {
  const start = db.prepare<[...StartValues, number, string, number]>(
    `INSERT INTO journal (workspace, call_id, attempt, step_path, kind, target, effect, worker_id, request,
       lease_token, started_at)
     SELECT workspace, id, ?, ?, ?, ?, ?, ?, ?, lease_token, ? FROM calls WHERE ${HOLDS_LEASE}`,
  );
  const finish = db.prepare<[...FinishValues, number, number, number, string, string, number]>(
    `UPDATE journal SET status = ?, output = ?, error = ?, response = ?, finished_at = ?
     WHERE id = ? AND lease_token = ? AND call_id = ? AND status = 'started'
       AND EXISTS (SELECT 1 FROM calls WHERE ${HOLDS_LEASE})`,
  );
  // The same, found by the step's place in the attempt (journal_by_call narrows it to the call's rows).
  const finishAt = db.prepare<[...FinishValues, number, string, number, string, number, string, number]>(
    `UPDATE journal SET status = ?, output = ?, error = ?, response = ?, finished_at = ?
     WHERE call_id = ? AND attempt = ? AND step_path = ? AND lease_token = ? AND status = 'started'
       AND EXISTS (SELECT 1 FROM calls WHERE ${HOLDS_LEASE})`,
  );
  const record = db.prepare<[...StartValues, number, ...FinishValues, number, string, number]>(
    `INSERT INTO journal (workspace, call_id, attempt, step_path, kind, target, effect, worker_id, request,
       lease_token, started_at, status, output, error, response, finished_at)
     SELECT workspace, id, ?, ?, ?, ?, ?, ?, ?, lease_token, ?, ?, ?, ?, ?, ? FROM calls WHERE ${HOLDS_LEASE}`,
  );
  const holdsLease = db.prepare<[string, number]>(`SELECT 1 FROM calls WHERE ${HOLDS_LEASE}`).pluck();
  const list = db.prepare<[string], JournalRow>('SELECT * FROM journal WHERE call_id = ? ORDER BY id');

  const startOne = (callId: string, token: number, step: StepStart): number | null => {
    const result = start.run(...startValues(step), Date.now(), callId, token);
    return result.changes === 1 ? Number(result.lastInsertRowid) : null;
  };
  const applyWrites = (callId: string, token: number, writes: readonly JournalWrite[]): void => {
    const now = Date.now();
    for (const w of writes) {
      if (w.kind === 'start') startOne(callId, token, w.start);
      else if (w.kind === 'finish')
        finishAt.run(...finishValues(w.finish), now, callId, w.attempt, w.stepPath, token, callId, token);
      else record.run(...startValues(w.start), now, ...finishValues(w.finish), now, callId, token);
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
      if (!holdsLease.get(callId, token)) return false;
      applyWrites(callId, token, writes);
      return true;
    },
    finishStep(callId, token, entryId, f) {
      return finish.run(...finishValues(f), Date.now(), entryId, token, callId, callId, token).changes === 1;
    },
    listJournal: (callId) => list.all(callId).map(toJournalEntry),
  };
}
