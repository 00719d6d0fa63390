import type { ToolError } from '../../core/errors.js';
import type { AttemptOutcome, AttemptRecord } from '../store.js';
import type { SqliteDatabase } from './open.js';
import { toAttempt, toJson, type AttemptRow } from '../rows.js';

/** The attempts table: one row per claim, written inside the caller's transaction. */
export interface AttemptLog {
  begin(
    workspace: string,
    callId: string,
    attempt: number,
    token: number,
    workerId: string,
    now: number,
  ): void;
  /** Closes the attempt that holds `token`, if it is still open. */
  end(callId: string, token: number, outcome: AttemptOutcome, error: ToolError | null, now: number): void;
  /** Appends an audit remark to the attempt that held `token`. */
  note(callId: string, token: number, note: string): void;
  list(callId: string): AttemptRecord[];
}

export function createAttemptLog(db: SqliteDatabase): AttemptLog {
  // Positional parameters: both statements are on every call's path (see enqueue.ts).
  const insert = db.prepare<[string, string, number, number, string, number]>(
    `INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
     VALUES (?, ?, ?, ?, ?, 'running', ?)`,
  );
  const end = db.prepare<[AttemptOutcome, string | null, number, string, number]>(
    `UPDATE attempts SET outcome = ?, error = ?, ended_at = ? WHERE call_id = ? AND lease_token = ? AND outcome = 'running'`,
  );
  const note = db.prepare(
    `UPDATE attempts SET note = CASE WHEN note IS NULL THEN @note ELSE note || char(10) || @note END
     WHERE call_id = @callId AND lease_token = @token`,
  );
  const list = db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE call_id = ? ORDER BY attempt');
  return {
    begin: (workspace, callId, attempt, token, workerId, now) =>
      void insert.run(workspace, callId, attempt, token, workerId, now),
    end: (callId, token, outcome, error, now) => void end.run(outcome, toJson(error), now, callId, token),
    note: (callId, token, text) => void note.run({ callId, token, note: text }),
    list: (callId) => list.all(callId).map(toAttempt),
  };
}
