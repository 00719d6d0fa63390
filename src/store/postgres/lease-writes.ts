import type { CallStatus } from '../../core/call-status.js';
import type { HeartbeatResult, JournalWrite, Settlement } from '../store.js';
import { outcomeOf, toJson } from '../rows.js';
import { NOW, NOW_ISO, type Db } from './db.js';
import { HELD, journalCtes, journalParams } from './journal.js';

const FENCE = `id = $1 AND lease_token = $2 AND status = 'running'`;

// $1 call, $2 token, $3 lease ms.
const HEARTBEAT = `
WITH beat AS (UPDATE calls SET lease_expires_at = ${NOW} + $3::bigint, updated_at = ${NOW} WHERE ${FENCE}
  RETURNING lease_expires_at)
SELECT (SELECT lease_expires_at FROM beat) AS until, (SELECT status FROM calls WHERE id = $1) AS status`;

/**
 * The settlement, its write-behind journal entries and its attempt record, in one statement fenced by
 * HELD. A holder that lost its lease changes nothing, but the audit trail keeps that it tried.
 *
 * $1 call, $2 token, $3 journal inserts, $4 journal finishes, $5 status, $6 result, $7 error,
 * $8 error attempts step (0 or 1), $9 run_after (retry_wait) or null, $10 attempt outcome.
 */
const SETTLE = `
WITH ${HELD}, ${journalCtes(3, 4)},
settled AS (
  UPDATE calls c SET status = $5::text, result = $6, error = $7::text, error_attempts = c.error_attempts + $8::integer,
    run_after = coalesce($9::bigint, c.run_after),
    settled_at = CASE WHEN $5::text = 'retry_wait' THEN NULL ELSE ${NOW} END,
    lease_expires_at = NULL, updated_at = ${NOW}
  FROM held h WHERE c.id = h.id
  RETURNING c.id),
ended AS (
  UPDATE attempts a SET outcome = $10, error = $7::text, ended_at = ${NOW}
  FROM held h WHERE a.call_id = h.id AND a.lease_token = h.lease_token AND a.outcome = 'running'),
noted AS (
  UPDATE attempts a SET note = concat_ws(chr(10), a.note,
    'stale_completion: ' || $5::text || ' rejected at ' || ${NOW_ISO} || ', the lease was no longer held')
  WHERE a.call_id = $1 AND a.lease_token = $2 AND NOT EXISTS (SELECT 1 FROM held))
SELECT count(*)::integer AS settled FROM settled`;

// Gives the call back (drain): running → queued, no counter raised. $1 call, $2 token.
const RELEASE = `
WITH released AS (
  UPDATE calls SET status = 'queued', lease_expires_at = NULL, updated_at = ${NOW} WHERE ${FENCE}
  RETURNING id, lease_token),
ended AS (
  UPDATE attempts a SET outcome = 'released', error = NULL, ended_at = ${NOW}
  FROM released r WHERE a.call_id = r.id AND a.lease_token = r.lease_token AND a.outcome = 'running')
SELECT count(*)::integer AS released FROM released`;

export interface LeaseWriteOps {
  heartbeat(callId: string, token: number, leaseMs: number): Promise<HeartbeatResult>;
  settle(
    callId: string,
    token: number,
    settlement: Settlement,
    journal?: readonly JournalWrite[],
  ): Promise<boolean>;
  release(callId: string, token: number): Promise<boolean>;
}

/** The lease holder's writes, each one statement fenced by `id AND lease_token AND status = 'running'`. */
export function createLeaseWriteOps(db: Db, changed: () => void): LeaseWriteOps {
  return {
    // No change signal: a heartbeat only postpones an expiry, so it unblocks no waiter and no claimer.
    async heartbeat(id, token, leaseMs) {
      const [row] = await db.query<{ until: number | null; status: CallStatus | null }>(HEARTBEAT, [
        id,
        token,
        leaseMs,
      ]);
      if (row?.until != null) return { ok: true, leaseExpiresAt: row.until };
      return { ok: false, status: row?.status ?? null };
    },
    async settle(id, token, s, journal = []) {
      const error = s.status === 'succeeded' ? null : s.error;
      const [row] = await db.query<{ settled: number }>(SETTLE, [
        id,
        token,
        ...journalParams(journal),
        s.status,
        s.status === 'succeeded' ? toJson(s.data) : null,
        toJson(error),
        s.status === 'succeeded' ? 0 : 1,
        s.status === 'retry_wait' ? s.runAfter : null,
        outcomeOf(s),
      ]);
      const ok = row?.settled === 1;
      if (ok) changed();
      return ok;
    },
    async release(id, token) {
      const [row] = await db.query<{ released: number }>(RELEASE, [id, token]);
      const ok = row?.released === 1;
      if (ok) changed();
      return ok;
    },
  };
}
