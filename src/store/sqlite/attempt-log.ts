import type { ToolError } from '../../core/errors.js';
import type { AttemptOutcome, AttemptRecord } from '../store.js';
import type { SqliteDatabase } from './open.js';
import { toAttempt, toJson, type AttemptRow, type CallRow } from '../rows.js';

/** The attempts table: one row per claim, written inside the caller's transaction. */
export interface AttemptLog {
  begin(call: CallRow, now: number): void;
  /** Closes the attempt that holds `token`, if it is still open. */
  end(callId: string, token: number, outcome: AttemptOutcome, error: ToolError | null, now: number): void;
  /** Appends an audit remark to the attempt that held `token`. */
  note(callId: string, token: number, note: string): void;
  list(callId: string): AttemptRecord[];
}

export function createAttemptLog(db: SqliteDatabase): AttemptLog {
  const insert = db.prepare(
    `INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
     VALUES (@workspace, @id, @attempt, @lease_token, @worker_id, 'running', @now)`,
  );
  const end = db.prepare(
    `UPDATE attempts SET outcome = @outcome, error = @error, ended_at = @now
     WHERE call_id = @callId AND lease_token = @token AND outcome = 'running'`,
  );
  const note = db.prepare(
    `UPDATE attempts SET note = CASE WHEN note IS NULL THEN @note ELSE note || char(10) || @note END
     WHERE call_id = @callId AND lease_token = @token`,
  );
  const list = db.prepare<[string], AttemptRow>('SELECT * FROM attempts WHERE call_id = ? ORDER BY attempt');
  return {
    begin: (call, now) => void insert.run({ ...call, now }),
    end: (callId, token, outcome, error, now) =>
      void end.run({ callId, token, outcome, error: toJson(error), now }),
    note: (callId, token, text) => void note.run({ callId, token, note: text }),
    list: (callId) => list.all(callId).map(toAttempt),
  };
}
