import type { JournalEntry, JournalWrite, StepFinish, StepStart } from '../store.js';
import { toJournalEntry, toJson, type JournalRow } from '../rows.js';
import { NOW, type Db } from './db.js';

/**
 * The fence of every holder's write: the call's row, locked for the rest of the statement, if `$1` is its
 * id, `$2` its current lease token and it is running. Journal rows are written only through it, so a
 * cancel or a reclaim either happens before (and the write finds no row) or waits until after.
 */
export const HELD = `held AS MATERIALIZED (
  SELECT id, workspace, lease_token FROM calls WHERE id = $1 AND lease_token = $2 AND status = 'running'
  FOR NO KEY UPDATE)`;

/**
 * Write-behind entries as two statements' worth of rows (CTEs that go with HELD): the rows to insert
 * (starts and whole steps, in request order: journal ids follow it) and the ends of steps started by
 * earlier writes, found by their place in the attempt. A step whose start and end travel in the same
 * batch is inserted finished, exactly what applying the two in order would leave.
 *
 * `$inserts` and `$finishes` are the parameter numbers of the two JSON arrays.
 */
export function journalCtes(inserts: number, finishes: number): string {
  return `inserted AS (
  INSERT INTO journal (workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token,
    request, status, output, error, response, started_at, finished_at)
  SELECT h.workspace, h.id, w.attempt, w.step_path, w.kind, w.target, w.effect, w.worker_id, h.lease_token,
    w.request, coalesce(w.status, 'started'), w.output, w.error, w.response, ${NOW},
    CASE WHEN w.status IS NULL THEN NULL ELSE ${NOW} END
  FROM held h, json_to_recordset($${inserts}::json) AS w(ord integer, attempt integer, step_path text, kind text,
    target text, effect text, worker_id text, request text, status text, output text, error text, response text)
  ORDER BY w.ord
  RETURNING id),
finished AS (
  UPDATE journal j SET status = f.status, output = f.output, error = f.error, response = f.response,
    finished_at = ${NOW}
  FROM held h, json_to_recordset($${finishes}::json) AS f(attempt integer, step_path text, status text,
    output text, error text, response text)
  WHERE j.call_id = h.id AND j.attempt = f.attempt AND j.step_path = f.step_path
    AND j.lease_token = h.lease_token AND j.status = 'started')`;
}

interface InsertRow {
  ord: number;
  attempt: number;
  step_path: string;
  kind: string;
  target: string | null;
  effect: string;
  worker_id: string;
  request: string | null;
  status: string | null;
  output: string | null;
  error: string | null;
  response: string | null;
}

type FinishRow = Pick<InsertRow, 'attempt' | 'step_path' | 'output' | 'error' | 'response'> & {
  status: string;
};

const finishFields = (f: StepFinish) => ({
  status: f.status,
  output: toJson(f.output),
  error: toJson(f.error),
  response: toJson(f.response),
});

const startFields = (s: StepStart) => ({
  attempt: s.attempt,
  step_path: s.stepPath,
  kind: s.kind,
  target: s.target,
  effect: s.effect,
  worker_id: s.workerId,
  request: toJson(s.request),
});

/** The two JSON parameters for `journalCtes`, from writes applied in order (then `own`, a step's start). */
export function journalParams(writes: readonly JournalWrite[], own?: StepStart): [string, string] {
  const inserts: InsertRow[] = [];
  const finishes: FinishRow[] = [];
  const open = new Map<string, InsertRow>();
  const place = (attempt: number, stepPath: string) => `${attempt}\u0000${stepPath}`;
  const none = { status: null, output: null, error: null, response: null };
  for (const w of writes) {
    if (w.kind === 'start') {
      const row: InsertRow = { ord: inserts.length, ...startFields(w.start), ...none };
      inserts.push(row);
      open.set(place(w.start.attempt, w.start.stepPath), row);
    } else if (w.kind === 'record') {
      inserts.push({ ord: inserts.length, ...startFields(w.start), ...finishFields(w.finish) });
    } else {
      const key = place(w.attempt, w.stepPath);
      const started = open.get(key);
      open.delete(key);
      if (started) Object.assign(started, finishFields(w.finish));
      else finishes.push({ attempt: w.attempt, step_path: w.stepPath, ...finishFields(w.finish) });
    }
  }
  if (own) inserts.push({ ord: inserts.length, ...startFields(own), ...none });
  return [JSON.stringify(inserts), JSON.stringify(finishes)];
}

// $1 call, $2 token, $3 inserts, $4 finishes. The step's own start is the last insert, so its id is the
// highest (identity values follow the ORDER BY).
const START = `WITH ${HELD}, ${journalCtes(3, 4)}
SELECT (SELECT max(id) FROM inserted) AS id`;

const APPEND = `WITH ${HELD}, ${journalCtes(3, 4)}
SELECT EXISTS (SELECT 1 FROM held) AS held`;

// $1 call, $2 token, $3 entry, $4 status, $5 output, $6 error, $7 response.
const FINISH = `WITH ${HELD}
UPDATE journal j SET status = $4, output = $5, error = $6, response = $7, finished_at = ${NOW}
FROM held h
WHERE j.id = $3 AND j.call_id = h.id AND j.lease_token = h.lease_token AND j.status = 'started'
RETURNING j.id`;

const LIST = 'SELECT * FROM journal WHERE call_id = $1 ORDER BY id';

export interface JournalOps {
  startStep(callId: string, token: number, step: StepStart, writes?: JournalWrite[]): Promise<number | null>;
  appendJournal(callId: string, token: number, writes: readonly JournalWrite[]): Promise<boolean>;
  finishStep(callId: string, token: number, entryId: number, finish: StepFinish): Promise<boolean>;
  listJournal(callId: string): Promise<JournalEntry[]>;
}

/** Each journal write is one statement, fenced by HELD. */
export function createJournalOps(db: Db): JournalOps {
  return {
    // The carried write-behind entries belong to earlier steps, so they are applied first.
    async startStep(callId, token, step, writes = []) {
      const [row] = await db.query<{ id: number | null }>(START, [
        callId,
        token,
        ...journalParams(writes, step),
      ]);
      return row?.id ?? null;
    },
    async appendJournal(callId, token, writes) {
      const [row] = await db.query<{ held: boolean }>(APPEND, [callId, token, ...journalParams(writes)]);
      return row?.held === true;
    },
    async finishStep(callId, token, entryId, f) {
      const { status, output, error, response } = finishFields(f);
      const rows = await db.query(FINISH, [callId, token, entryId, status, output, error, response]);
      return rows.length === 1;
    },
    listJournal: async (callId) => (await db.read<JournalRow>(LIST, [callId])).map(toJournalEntry),
  };
}
