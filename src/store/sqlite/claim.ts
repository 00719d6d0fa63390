import type { ToolError } from '../../core/errors.js';
import type { ClaimedCall, ClaimInput } from '../store.js';
import type { AttemptLog } from './attempt-log.js';
import type { SqliteDatabase } from './open.js';
import { toCall, toJson, type CallRow } from '../rows.js';
import { crashDeadLetters, NO_ISOLATION } from '../crash-isolation.js';
import { pickFairly, type LaneCandidate, type LaneLoad } from '../fair-claims.js';

interface Lane {
  workspace: string;
  tool: string;
}

interface LaneCandidateRow extends Lane {
  id: string;
  run_after: number;
  created_at: number;
  seq: number;
  concurrency_limit: number | null;
}

function toCandidate(row: LaneCandidateRow): LaneCandidate {
  return {
    id: row.id,
    workspace: row.workspace,
    tool: row.tool,
    runAfter: row.run_after,
    createdAt: row.created_at,
    seq: row.seq,
    concurrencyLimit: row.concurrency_limit,
  };
}

export interface ClaimOps {
  claim(input: ClaimInput): ClaimedCall[];
  reclaimExpired(input: { maxCrashes: number }): string[];
  /** Read-only: is anything claimable now? (Checked before taking the write lock.) */
  hasRunnable(): boolean;
  /** Read-only: has any lease expired? */
  hasExpired(): boolean;
}

/** Claiming and lease recovery: each runs as one IMMEDIATE transaction. Claims follow `pickFairly`. */
export function createClaimOps(db: SqliteDatabase, attempts: AttemptLog, changed: () => void): ClaimOps {
  // The lanes with runnable calls, one index seek each (a loose scan of the calls_lanes partial index;
  // named, because without statistics the planner would rather sort calls_claim's rows).
  const firstLane = db.prepare<[], Lane>(
    `SELECT workspace, tool FROM calls INDEXED BY calls_lanes WHERE status IN ('queued', 'retry_wait') ORDER BY workspace, tool LIMIT 1`,
  );
  // The next lane after (workspace, tool): a later tool of the same workspace, else the first lane of a
  // later workspace. Two seeks: SQLite seeks a row-value comparison on its first column only, which would
  // scan every call of the current lane.
  const nextToolLane = db.prepare<[string, string], Lane>(
    `SELECT workspace, tool FROM calls INDEXED BY calls_lanes
     WHERE status IN ('queued', 'retry_wait') AND workspace = ? AND tool > ? ORDER BY tool LIMIT 1`,
  );
  const nextWorkspaceLane = db.prepare<[string], Lane>(
    `SELECT workspace, tool FROM calls INDEXED BY calls_lanes
     WHERE status IN ('queued', 'retry_wait') AND workspace > ? ORDER BY workspace, tool LIMIT 1`,
  );
  // A lane's oldest calls, less those held back to run alone (crash isolation).
  const laneCalls = db.prepare<
    { workspace: string; tool: string; now: number; limit: number; afterCrashes: number },
    LaneCandidateRow
  >(
    `SELECT id, workspace, tool, run_after, created_at, rowid AS seq, concurrency_limit FROM calls INDEXED BY calls_lanes
     WHERE status IN ('queued', 'retry_wait') AND workspace = @workspace AND tool = @tool AND run_after <= @now
       AND crash_count < @afterCrashes
     ORDER BY run_after, created_at, rowid LIMIT @limit`,
  );
  // The oldest runnable call held back to run alone, for a claimer with nothing else running.
  const loneSuspect = db
    .prepare<{ now: number; afterCrashes: number }, string>(
      `SELECT id FROM calls INDEXED BY calls_suspects
       WHERE status IN ('queued', 'retry_wait') AND crash_count > 0 AND crash_count >= @afterCrashes
         AND run_after <= @now
       ORDER BY run_after, created_at, rowid LIMIT 1`,
    )
    .pluck();
  const load = db.prepare<[], LaneLoad>(
    `SELECT workspace, tool, count(*) AS running FROM calls INDEXED BY calls_running_lanes
     WHERE status = 'running' GROUP BY workspace, tool`,
  );
  const take = db.prepare<
    { id: string; now: number; leaseUntil: number; workerId: string; isolated: number },
    CallRow
  >(
    `UPDATE calls SET status = 'running', lease_token = lease_token + 1, attempt = attempt + 1,
       lease_expires_at = @leaseUntil, worker_id = @workerId, isolated = @isolated, updated_at = @now
     WHERE id = @id RETURNING *`,
  );
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
  const expired = db.prepare<
    [number],
    { id: string; crash_count: number; lease_token: number; isolated: number }
  >(
    `SELECT id, crash_count, lease_token, isolated FROM calls WHERE status = 'running' AND lease_expires_at <= ?`,
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

  function runnableLanes(now: number, limit: number, afterCrashes: number): LaneCandidate[][] {
    const lanes: LaneCandidate[][] = [];
    const nextLane = (lane: Lane) =>
      nextToolLane.get(lane.workspace, lane.tool) ?? nextWorkspaceLane.get(lane.workspace);
    for (let lane = firstLane.get(); lane; lane = nextLane(lane)) {
      const calls = laneCalls.all({ ...lane, now, limit, afterCrashes });
      if (calls.length > 0) lanes.push(calls.map(toCandidate));
    }
    return lanes;
  }

  const claim = db.transaction((input: ClaimInput): ClaimedCall[] => {
    const now = Date.now();
    const afterCrashes = input.isolation?.afterCrashes ?? NO_ISOLATION;
    const lone = input.isolation?.alone ? loneSuspect.get({ now, afterCrashes }) : undefined;
    const ids = lone
      ? [lone]
      : pickFairly(runnableLanes(now, input.limit, afterCrashes), load.all(), input.limit);
    const leaseUntil = now + input.leaseMs;
    return ids.map((id) => {
      const row = take.get({
        id,
        now,
        leaseUntil,
        workerId: input.workerId,
        isolated: lone ? 1 : 0,
      }) as CallRow;
      attempts.begin(row.workspace, row.id, row.attempt, row.lease_token, input.workerId, now);
      return { call: toCall(row), token: row.lease_token, ...(lone ? { isolated: true } : {}) };
    });
  });

  const reclaim = db.transaction((maxCrashes: number): string[] => {
    const now = Date.now();
    const rows = expired.all(now);
    for (const row of rows) {
      const crashes = row.crash_count + 1;
      if (crashDeadLetters(crashes, maxCrashes, row.isolated === 1)) {
        const error: ToolError = {
          code: 'DEAD_LETTERED',
          message: `the call's workers crashed ${crashes} times (limit ${maxCrashes})${
            row.isolated === 1 ? ', the last time running it alone' : ''
          }; it was dead-lettered`,
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
