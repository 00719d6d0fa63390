import type { ToolError } from '../../core/errors.js';
import type { ClaimedCall, ClaimInput } from '../store.js';
import type { AttemptLog } from './attempt-log.js';
import type { SqliteDatabase } from './open.js';
import { toCall, toJson, type CallRow } from '../rows.js';

export interface ClaimOps {
  claim(input: ClaimInput): ClaimedCall[];
  reclaimExpired(input: { maxCrashes: number }): string[];
  /** Read-only: is anything claimable now? (Checked before taking the write lock.) */
  hasRunnable(): boolean;
  /** Read-only: has any lease expired? */
  hasExpired(): boolean;
}

// One index seek per runnable status, each already in index order (status, run_after, created_at, rowid),
// merged: oldest first, ties within a millisecond broken by insertion order.
const RUNNABLE = `SELECT id FROM (
  SELECT * FROM (SELECT id, run_after, created_at, rowid AS seq FROM calls WHERE status = 'queued' AND run_after <= @now
                 ORDER BY run_after, created_at, rowid LIMIT @limit)
  UNION ALL
  SELECT * FROM (SELECT id, run_after, created_at, rowid AS seq FROM calls WHERE status = 'retry_wait' AND run_after <= @now
                 ORDER BY run_after, created_at, rowid LIMIT @limit)
  ORDER BY run_after, created_at, seq LIMIT @limit)`;

/** Claiming and lease recovery: each runs as one IMMEDIATE transaction. */
export function createClaimOps(db: SqliteDatabase, attempts: AttemptLog, changed: () => void): ClaimOps {
  const take = db.prepare<
    { now: number; limit: number; leaseUntil: number; workerId: string },
    CallRow & { seq: number }
  >(
    `UPDATE calls SET status = 'running', lease_token = lease_token + 1, attempt = attempt + 1,
       lease_expires_at = @leaseUntil, worker_id = @workerId, updated_at = @now
     WHERE id IN (${RUNNABLE}) RETURNING *, rowid AS seq`,
  );
  // Read-only probes: most wake-ups find nothing to do, and a probe takes no write lock.
  const anyRunnable = db
    .prepare<[number, number]>(
      `SELECT EXISTS (SELECT 1 FROM calls WHERE status = 'queued' AND run_after <= ?)
           OR EXISTS (SELECT 1 FROM calls WHERE status = 'retry_wait' AND run_after <= ?)`,
    )
    .pluck();
  const anyExpired = db
    .prepare<[number]>(
      `SELECT EXISTS (SELECT 1 FROM calls WHERE status = 'running' AND lease_expires_at <= ?)`,
    )
    .pluck();
  const expired = db.prepare<[number], { id: string; crash_count: number; lease_token: number }>(
    `SELECT id, crash_count, lease_token FROM calls WHERE status = 'running' AND lease_expires_at <= ?`,
  );
  const requeueCrashed = db.prepare(
    `UPDATE calls SET status = 'queued', crash_count = crash_count + 1, lease_expires_at = NULL, updated_at = @now
     WHERE id = @id`,
  );
  const deadLetter = db.prepare(
    `UPDATE calls SET status = 'dead', crash_count = crash_count + 1, error = @error, lease_expires_at = NULL,
       settled_at = @now, updated_at = @now
     WHERE id = @id`,
  );

  const claim = db.transaction((input: ClaimInput): ClaimedCall[] => {
    const now = Date.now();
    const rows = take.all({
      now,
      limit: input.limit,
      leaseUntil: now + input.leaseMs,
      workerId: input.workerId,
    });
    // RETURNING gives no order; hand the calls out in queue order.
    rows.sort((a, b) => a.run_after - b.run_after || a.created_at - b.created_at || a.seq - b.seq);
    for (const row of rows) attempts.begin(row, now);
    return rows.map((row) => ({ call: toCall(row), token: row.lease_token }));
  });

  const reclaim = db.transaction((maxCrashes: number): string[] => {
    const now = Date.now();
    const rows = expired.all(now);
    for (const row of rows) {
      const crashes = row.crash_count + 1;
      if (crashes > maxCrashes) {
        const error: ToolError = {
          code: 'DEAD_LETTERED',
          message: `the call's workers crashed ${crashes} times (limit ${maxCrashes}); it was dead-lettered`,
          retrySafe: false,
        };
        deadLetter.run({ id: row.id, now, error: toJson(error) });
        attempts.end(row.id, row.lease_token, 'crashed', error, now);
      } else {
        requeueCrashed.run({ id: row.id, now });
        attempts.end(row.id, row.lease_token, 'crashed', null, now);
      }
    }
    return rows.map((row) => row.id);
  });

  return {
    hasRunnable: () => {
      const now = Date.now();
      return Boolean(anyRunnable.get(now, now));
    },
    hasExpired: () => Boolean(anyExpired.get(Date.now())),
    claim(input) {
      if (input.limit <= 0) return [];
      const now = Date.now();
      if (!anyRunnable.get(now, now)) return [];
      // No change signal: queued → running unblocks no waiter and no other claimer.
      return claim.immediate(input);
    },
    reclaimExpired({ maxCrashes }) {
      if (!anyExpired.get(Date.now())) return [];
      const ids = reclaim.immediate(maxCrashes);
      if (ids.length > 0) changed();
      return ids;
    },
  };
}
