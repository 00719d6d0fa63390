import { NOW, type Db } from './db.js';

export interface HousekeepingOps {
  nextWakeAt(): Promise<number | null>;
  prune(input: { settledBefore: number }): Promise<{ calls: number; keys: number }>;
}

// Includes moments already past: something that fell due between a claim and this query must not be
// slept through. Each part seeks calls_by_status; running calls are few. A call waiting for input holds
// its ask's expiry in run_after.
const WAKE = `
SELECT least(
  (SELECT min(run_after) FROM calls WHERE status = 'retry_wait'),
  (SELECT min(run_after) FROM calls WHERE status = 'input_required'),
  (SELECT min(lease_expires_at) FROM calls WHERE status = 'running')) AS at`;

// Small batches keep each statement short. The calls are locked first (rows someone is writing are left
// for the next prune), then their keys, journal and attempts go with them. $1 cutoff, $2 batch size.
const PRUNE_BATCH = `
WITH doomed AS MATERIALIZED (
  SELECT id FROM calls WHERE settled_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED),
keys AS (DELETE FROM idempotency_keys WHERE call_id IN (SELECT id FROM doomed) RETURNING 1),
journal AS (DELETE FROM journal WHERE call_id IN (SELECT id FROM doomed)),
attempts AS (DELETE FROM attempts WHERE call_id IN (SELECT id FROM doomed)),
asks AS (DELETE FROM asks WHERE call_id IN (SELECT id FROM doomed)),
gone AS (DELETE FROM calls WHERE id IN (SELECT id FROM doomed) RETURNING 1)
SELECT (SELECT count(*) FROM doomed) AS picked, (SELECT count(*) FROM gone) AS calls,
  (SELECT count(*) FROM keys) AS keys`;

// Expired keys, in batches as well (by idempotency_keys_expiry): every statement stays well inside the
// store's query timeout however many keys expired. $1 batch size.
const PRUNE_KEYS = `
WITH doomed AS MATERIALIZED (
  SELECT workspace, tool, key FROM idempotency_keys WHERE expires_at <= ${NOW} LIMIT $1 FOR UPDATE SKIP LOCKED),
gone AS (DELETE FROM idempotency_keys k USING doomed d
  WHERE k.workspace = d.workspace AND k.tool = d.tool AND k.key = d.key RETURNING 1)
SELECT (SELECT count(*) FROM doomed) AS picked, (SELECT count(*) FROM gone) AS keys`;

const BATCH = 500;

export function createHousekeepingOps(db: Db): HousekeepingOps {
  return {
    async nextWakeAt() {
      const [row] = await db.read<{ at: number | null }>(WAKE);
      return row?.at ?? null;
    },
    async prune({ settledBefore }) {
      const total = { calls: 0, keys: 0 };
      for (let more = true; more;) {
        const [batch] = await db.query<{ picked: number; calls: number; keys: number }>(PRUNE_BATCH, [
          settledBefore,
          BATCH,
        ]);
        total.calls += batch?.calls ?? 0;
        total.keys += batch?.keys ?? 0;
        more = batch?.picked === BATCH;
      }
      for (let more = true; more;) {
        const [expired] = await db.query<{ picked: number; keys: number }>(PRUNE_KEYS, [BATCH]);
        total.keys += expired?.keys ?? 0;
        more = expired?.picked === BATCH;
      }
      return total;
    },
  };
}
