import type { ClaimedCall, ClaimInput } from '../store.js';
import { toCall, type CallRow } from '../rows.js';
import { NO_ISOLATION } from '../crash-isolation.js';
import { NOW, type Db } from './db.js';

/**
 * Claims runnable calls (queued, or retry_wait whose run_after has passed) by the policy of
 * `../fair-claims.ts`, in one statement:
 *
 * - `lanes` walks the (workspace, tool) pairs with runnable calls, one index seek each (a loose scan of
 *   the calls_lanes partial index), and `waiting` takes each lane's oldest $1 calls with their rank;
 * - `busy` and `busy_workspaces` count the running calls of those lanes and their workspaces, one
 *   index-only range each on the calls_running_lanes partial index (a count over every running call
 *   would take a status index instead, and wade through the dead entries every status change leaves
 *   until vacuum);
 * - `limited` counts again, exactly, the running calls of each lane whose oldest call has a concurrency
 *   limit, through `switchyard_lane_running`, which first takes the lane's transaction-scoped lock (see
 *   migration 0003): a lane another claimer is claiming from right now counts as full for this claim;
 * - `eligible` keeps the calls within their lane's free slots, with their lane turn, and `turns`
 *   numbers their turn in their workspace;
 * - `picked` locks the first $1 by turn. `FOR UPDATE SKIP LOCKED` makes concurrent claimers, on any
 *   machine, pass over each other's rows instead of waiting for them or taking them twice; a row
 *   another claimer changed since this statement's snapshot is re-checked against the WHERE clause once
 *   its lock is free, so a call already running is never claimed again.
 *
 * Crash isolation (../crash-isolation.ts): `lone` takes, for a claimer with nothing else running ($4),
 * the oldest runnable call whose crashes reached $5, alone (`isolated`); otherwise such calls are left
 * out of the lanes.
 *
 * Each claimed call gets its attempt record in the same statement.
 *
 * $1 limit, $2 lease ms, $3 worker id, $4 alone, $5 crashes after which a call runs alone.
 */
const CLAIM = `
WITH RECURSIVE lone AS MATERIALIZED (
  SELECT id FROM calls
  WHERE $4::boolean AND status IN ('queued', 'retry_wait') AND crash_count > 0 AND crash_count >= $5::integer
    AND run_after <= ${NOW}
  ORDER BY run_after, created_at, seq
  LIMIT 1
  FOR NO KEY UPDATE SKIP LOCKED),
lanes AS (
  (SELECT workspace, tool FROM calls WHERE status IN ('queued', 'retry_wait') ORDER BY workspace, tool LIMIT 1)
  UNION ALL
  SELECT next.workspace, next.tool FROM lanes l CROSS JOIN LATERAL (
    SELECT workspace, tool FROM calls
    WHERE status IN ('queued', 'retry_wait') AND (workspace, tool) > (l.workspace, l.tool)
    ORDER BY workspace, tool LIMIT 1) next),
waiting AS MATERIALIZED (
  SELECT w.*,
    row_number() OVER lane AS lane_rank,
    first_value(w.concurrency_limit) OVER lane AS lane_limit
  FROM lanes l CROSS JOIN LATERAL (
    SELECT id, workspace, tool, run_after, created_at, seq, concurrency_limit FROM calls
    WHERE status IN ('queued', 'retry_wait') AND workspace = l.workspace AND tool = l.tool AND run_after <= ${NOW}
      AND crash_count < $5::integer
    ORDER BY run_after, created_at, seq LIMIT $1) w
  WINDOW lane AS (PARTITION BY w.workspace, w.tool ORDER BY w.run_after, w.created_at, w.seq)),
busy AS MATERIALIZED (
  SELECT l.workspace, l.tool,
    (SELECT count(*) FROM calls r WHERE r.status = 'running' AND r.workspace = l.workspace AND r.tool = l.tool)
      AS running
  FROM lanes l),
busy_workspaces AS MATERIALIZED (
  SELECT w.workspace,
    (SELECT count(*) FROM calls r WHERE r.status = 'running' AND r.workspace = w.workspace) AS running
  FROM (SELECT DISTINCT workspace FROM lanes) w),
limited AS MATERIALIZED (
  SELECT workspace, tool, lane_limit - switchyard_lane_running(workspace, tool) AS slots
  FROM waiting WHERE lane_rank = 1 AND lane_limit IS NOT NULL),
eligible AS MATERIALIZED (
  SELECT w.id, w.workspace, w.run_after, w.created_at, w.seq, coalesce(b.running, 0) + w.lane_rank AS lane_turn
  FROM waiting w
  LEFT JOIN busy b ON b.workspace = w.workspace AND b.tool = w.tool
  LEFT JOIN limited m ON m.workspace = w.workspace AND m.tool = w.tool
  WHERE w.lane_limit IS NULL OR w.lane_rank <= m.slots),
turns AS MATERIALIZED (
  SELECT e.id, e.run_after, e.created_at, e.seq,
    coalesce((SELECT b.running FROM busy_workspaces b WHERE b.workspace = e.workspace), 0)
      + row_number() OVER (PARTITION BY e.workspace ORDER BY e.lane_turn, e.run_after, e.created_at, e.seq) AS turn
  FROM eligible e),
picked AS MATERIALIZED (
  SELECT c.id FROM calls c JOIN turns t ON t.id = c.id
  WHERE NOT EXISTS (SELECT 1 FROM lone) AND c.status IN ('queued', 'retry_wait') AND c.run_after <= ${NOW}
  ORDER BY t.turn, t.run_after, t.created_at, t.seq
  LIMIT $1
  FOR NO KEY UPDATE OF c SKIP LOCKED),
taken AS (
  SELECT id, 1 AS isolated, 0 AS turn, 0::bigint AS run_after, 0::bigint AS created_at, 0::bigint AS seq FROM lone
  UNION ALL
  SELECT t.id, 0, t.turn, t.run_after, t.created_at, t.seq FROM picked p JOIN turns t ON t.id = p.id),
claimed AS (
  UPDATE calls c SET status = 'running', lease_token = c.lease_token + 1, attempt = c.attempt + 1,
    lease_expires_at = ${NOW} + $2::bigint, worker_id = $3, isolated = taken.isolated, updated_at = ${NOW}
  FROM taken WHERE c.id = taken.id
  RETURNING c.*),
attempt AS (
  INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
  SELECT workspace, id, attempt, lease_token, worker_id, 'running', updated_at FROM claimed)
SELECT claimed.* FROM claimed JOIN taken t ON t.id = claimed.id
ORDER BY t.turn, t.run_after, t.created_at, t.seq`;

/** `crashDeadLetters` of ../crash-isolation.ts, on the row being reclaimed ($1 max crashes). */
const DEAD = `c.crash_count + 1 > $1::integer AND (c.isolated = 1 OR c.crash_count + 1 > 2 * $1::integer + 1)`;

/**
 * Requeues the running calls whose lease expired (crash_count + 1, attempt recorded `crashed`), or
 * settles them `dead` once crash_count would pass the limit. Rows a holder is writing right now are
 * skipped (their lease is being extended or settled); a lease extended since the snapshot is re-checked.
 *
 * $1 max crashes.
 */
const RECLAIM = `
WITH expired AS MATERIALIZED (
  SELECT id FROM calls WHERE status = 'running' AND lease_expires_at <= ${NOW}
  FOR NO KEY UPDATE SKIP LOCKED),
moved AS (
  UPDATE calls c SET
    status = CASE WHEN ${DEAD} THEN 'dead' ELSE 'queued' END,
    crash_count = c.crash_count + 1,
    error = CASE WHEN ${DEAD}
      THEN json_build_object('code', 'DEAD_LETTERED',
        'message', format('the call''s workers crashed %s times (limit %s)%s; it was dead-lettered',
          c.crash_count + 1, $1::integer, CASE WHEN c.isolated = 1 THEN ', the last time running it alone' ELSE '' END),
        'retrySafe', false)::text
      ELSE c.error END,
    settled_at = CASE WHEN ${DEAD} THEN ${NOW} ELSE c.settled_at END,
    lease_expires_at = NULL, updated_at = ${NOW}
  FROM expired WHERE c.id = expired.id
  RETURNING c.id, c.lease_token, c.status, c.error, c.seq),
ended AS (
  UPDATE attempts a SET outcome = 'crashed', error = CASE WHEN m.status = 'dead' THEN m.error END,
    ended_at = ${NOW}
  FROM moved m WHERE a.call_id = m.id AND a.lease_token = m.lease_token AND a.outcome = 'running')
SELECT id FROM moved ORDER BY seq`;

export interface ClaimOps {
  claim(input: ClaimInput): Promise<ClaimedCall[]>;
  reclaimExpired(input: { maxCrashes: number }): Promise<string[]>;
}

export function createClaimOps(db: Db, changed: () => void): ClaimOps {
  return {
    // No own change signal (as on SQLite): queued → running unblocks no waiter and no other claimer of
    // this process. Other processes hear of it through the trigger's NOTIFY.
    async claim(input) {
      if (input.limit <= 0) return [];
      const isolation = input.isolation;
      const rows = await db.query<CallRow>(CLAIM, [
        input.limit,
        input.leaseMs,
        input.workerId,
        isolation?.alone ?? false,
        isolation?.afterCrashes ?? NO_ISOLATION,
      ]);
      return rows.map((row) => ({
        call: toCall(row),
        token: row.lease_token,
        ...(row.isolated === 1 ? { isolated: true } : {}),
      }));
    },
    async reclaimExpired({ maxCrashes }) {
      const rows = await db.query<{ id: string }>(RECLAIM, [maxCrashes]);
      if (rows.length > 0) changed();
      return rows.map((row) => row.id);
    },
  };
}
