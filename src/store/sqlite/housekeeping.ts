import type { SqliteDatabase } from './open.js';

export interface HousekeepingOps {
  nextWakeAt(): number | null;
  prune(input: { settledBefore: number }): { calls: number; keys: number };
}

// Small batches keep each IMMEDIATE transaction short, so workers are never blocked behind a prune.
const PRUNE_BATCH = 500;

export function createHousekeepingOps(db: SqliteDatabase): HousekeepingOps {
  // Each part seeks calls_claim by status; running calls are few. A call waiting for input holds its
  // ask's expiry in run_after.
  const wake = db
    .prepare<[], number | null>(
      `SELECT min(t) FROM (
         SELECT min(run_after) AS t FROM calls WHERE status = 'retry_wait'
         UNION ALL
         SELECT min(run_after) FROM calls WHERE status = 'input_required'
         UNION ALL
         SELECT min(lease_expires_at) FROM calls WHERE status = 'running')`,
    )
    .pluck();
  const oldSettled = db
    .prepare<[number, number], string>('SELECT id FROM calls WHERE settled_at < ? LIMIT ?')
    .pluck();
  const IDS = 'SELECT value FROM json_each(@ids)';
  const deleteKeys = db.prepare(`DELETE FROM idempotency_keys WHERE call_id IN (${IDS})`);
  const deleteJournal = db.prepare(`DELETE FROM journal WHERE call_id IN (${IDS})`);
  const deleteAttempts = db.prepare(`DELETE FROM attempts WHERE call_id IN (${IDS})`);
  const deleteAsks = db.prepare(`DELETE FROM asks WHERE call_id IN (${IDS})`);
  const deleteCalls = db.prepare(`DELETE FROM calls WHERE id IN (${IDS})`);
  const deleteExpiredKeys = db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?');

  const pruneBatch = db.transaction((settledBefore: number) => {
    const ids = oldSettled.all(settledBefore, PRUNE_BATCH);
    if (ids.length === 0) return { calls: 0, keys: 0, more: false };
    const params = { ids: JSON.stringify(ids) };
    const keys = deleteKeys.run(params).changes;
    deleteJournal.run(params);
    deleteAttempts.run(params);
    deleteAsks.run(params);
    const calls = deleteCalls.run(params).changes;
    return { calls, keys, more: ids.length === PRUNE_BATCH };
  });

  return {
    // Includes moments already past: something that fell due between a claim and this query must not be
    // slept through.
    nextWakeAt: () => wake.get() ?? null,
    prune({ settledBefore }) {
      const total = { calls: 0, keys: 0 };
      for (let more = true; more;) {
        const batch = pruneBatch.immediate(settledBefore);
        total.calls += batch.calls;
        total.keys += batch.keys;
        more = batch.more;
      }
      total.keys += deleteExpiredKeys.run(Date.now()).changes;
      return total;
    },
  };
}
