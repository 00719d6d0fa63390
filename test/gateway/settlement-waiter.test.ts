import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettlementWaiter } from '../../src/gateway/settlement-waiter.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { callInput, deploy, LEASE_MS } from '../store/contract/fixtures.js';

// The waiter looks at the store when it changes; under load it changes with every group commit, so
// looks are spaced (at least 5 ms apart) and each covers every waiting call. Whatever the rate of
// changes, every settled call's waiter is answered.
describe('SettlementWaiter', () => {
  let dir: string;
  let gateway: Store;
  let worker: Store;
  let looks: number;
  let rowsRead: number;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-waiter-'));
    const file = path.join(dir, 'switchyard.db');
    const store = createSqliteStore({ path: file, pollIntervalMs: 2 });
    await store.migrate();
    looks = 0;
    rowsRead = 0;
    // The real store, counting the waiter's reads.
    gateway = {
      ...store,
      getCalls: async (ids, statuses) => {
        looks++;
        const calls = await store.getCalls(ids, statuses);
        rowsRead += calls.length;
        return calls;
      },
    };
    worker = createSqliteStore({ path: file, pollIntervalMs: 2 });
  });
  afterEach(async () => {
    await worker.close();
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers every waiter settled in another process, with spaced looks under a storm of changes', async () => {
    const release = await deploy(gateway);
    const claimed = [];
    for (let i = 0; i < 10; i++) {
      const outcome = await gateway.enqueue(
        callInput(release, { args: { i }, claimFor: { workerId: 'w1', leaseMs: LEASE_MS } }),
      );
      if (outcome.kind !== 'created' || outcome.token === null) throw new Error('expected a claimed call');
      claimed.push({ id: outcome.call.id, token: outcome.token });
    }
    const waiter = new SettlementWaiter(gateway);
    const started = performance.now();
    const waits = claimed.map(({ id }) => waiter.wait(id, 10_000));
    // 200 commits in the waiter's process (each a change signal), then the settlements by another one.
    for (let i = 0; i < 200; i++) await gateway.enqueue(callInput(release, { args: { storm: i } }));
    for (const { id, token } of claimed)
      await worker.settle(id, token, { status: 'succeeded', data: { id } });
    const settled = await Promise.all(waits);
    const elapsedMs = performance.now() - started;
    expect(settled.map((s) => s?.status)).toEqual(claimed.map(() => 'succeeded'));
    // One look at the start, then at most one per 5 ms (and one trailing look).
    expect(looks).toBeLessThanOrEqual(Math.ceil(elapsedMs / 5) + 2);
    expect(looks).toBeLessThan(200);
    waiter.close();
  });

  it('leaves a settlement reported right after its commit to the report: no row is read back', async () => {
    const release = await deploy(gateway);
    const waiter = new SettlementWaiter(gateway);
    for (let round = 0; round < 20; round++) {
      const outcome = await gateway.enqueue(
        callInput(release, { args: { round }, claimFor: { workerId: 'w1', leaseMs: LEASE_MS } }),
      );
      if (outcome.kind !== 'created' || outcome.token === null) throw new Error('expected a claimed call');
      const waiting = waiter.wait(outcome.call.id, 10_000);
      // Past the spacing of looks, so the commit's signal may look at once.
      await new Promise((resolve) => setTimeout(resolve, 8));
      // As the supervisor's dispatcher does: commit the worker's settlement, then report it.
      const settlement = { status: 'succeeded' as const, data: { round } };
      if (await gateway.settle(outcome.call.id, outcome.token, settlement))
        waiter.settled(outcome.call.id, { status: 'succeeded', result: settlement.data, error: null });
      expect(await waiting).toMatchObject({ status: 'succeeded', result: { round } });
    }
    expect(rowsRead).toBe(0);
    waiter.close();
  });
});
