import type { CallStatus } from '../../core/call-status.js';
import type { HeartbeatResult, JournalWrite, Settlement } from '../store.js';
import type { AttemptLog } from './attempt-log.js';
import type { SqliteDatabase } from './open.js';
import { outcomeOf, toJson } from '../rows.js';

export interface LeaseWriteOps {
  heartbeat(callId: string, token: number, leaseMs: number): HeartbeatResult;
  settle(callId: string, token: number, settlement: Settlement, journal?: readonly JournalWrite[]): boolean;
  release(callId: string, token: number): boolean;
}

/**
 * The lease holder's writes. Each is fenced by `id AND lease_token AND status = 'running'`, so a
 * worker whose lease was reclaimed or whose call was cancelled can no longer change the call.
 */
export function createLeaseWriteOps(
  db: SqliteDatabase,
  attempts: AttemptLog,
  changed: () => void,
  applyJournal: (callId: string, token: number, writes: readonly JournalWrite[]) => void,
): LeaseWriteOps {
  // Positional parameters (the fence's id and token last): a heartbeat and a settlement are on every
  // call's path, where a named binding costs a property lookup per value.
  const FENCE = `id = ? AND lease_token = ? AND status = 'running'`;
  const extend = db.prepare<[number, number, string, number]>(
    `UPDATE calls SET lease_expires_at = ?, updated_at = ? WHERE ${FENCE}`,
  );
  const statusOf = db.prepare<[string], CallStatus>('SELECT status FROM calls WHERE id = ?').pluck();
  const write = db.prepare<
    [string, string | null, string | null, number, number | null, number | null, number, string, number]
  >(
    `UPDATE calls SET status = ?, result = ?, error = ?, error_attempts = error_attempts + ?,
       run_after = coalesce(?, run_after), settled_at = ?, lease_expires_at = NULL, updated_at = ?
     WHERE ${FENCE}`,
  );
  const giveBack = db.prepare<[number, string, number]>(
    `UPDATE calls SET status = 'queued', lease_expires_at = NULL, updated_at = ? WHERE ${FENCE}`,
  );

  const settle = db.transaction(
    (id: string, token: number, s: Settlement, journal: readonly JournalWrite[]): boolean => {
      // Write-behind journal entries go first: their fence still holds until the call leaves `running`.
      if (journal.length > 0) applyJournal(id, token, journal);
      const now = Date.now();
      const error = s.status === 'succeeded' ? null : s.error;
      const done = write.run(
        s.status,
        s.status === 'succeeded' ? toJson(s.data) : null,
        toJson(error),
        s.status === 'succeeded' ? 0 : 1,
        s.status === 'retry_wait' ? s.runAfter : null,
        s.status === 'retry_wait' ? null : now,
        now,
        id,
        token,
      );
      if (done.changes !== 1) {
        // A zombie's late completion changes nothing, but the audit trail keeps that it tried.
        const when = new Date(now).toISOString();
        attempts.note(
          id,
          token,
          `stale_completion: ${s.status} rejected at ${when}, the lease was no longer held`,
        );
        return false;
      }
      attempts.end(id, token, outcomeOf(s), error, now);
      return true;
    },
  );

  const release = db.transaction((id: string, token: number): boolean => {
    const now = Date.now();
    if (giveBack.run(now, id, token).changes !== 1) return false;
    attempts.end(id, token, 'released', null, now);
    return true;
  });

  return {
    // No change signal: a heartbeat only postpones an expiry, so it unblocks no waiter and no claimer.
    heartbeat(id, token, leaseMs) {
      const now = Date.now();
      const until = now + leaseMs;
      if (extend.run(until, now, id, token).changes === 1) return { ok: true, leaseExpiresAt: until };
      return { ok: false, status: statusOf.get(id) ?? null };
    },
    settle(id, token, settlement, journal = []) {
      const ok = settle.immediate(id, token, settlement, journal);
      if (ok) changed();
      return ok;
    },
    release(id, token) {
      const ok = release.immediate(id, token);
      if (ok) changed();
      return ok;
    },
  };
}
