import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres.js';
import {
  callInput,
  claimOne,
  deploy,
  enqueueNew,
  LEASE_MS,
  toolError,
  useHarness,
} from './contract/fixtures.js';
import { makePostgresHarness } from './postgres-harness.js';

// Stores with pools of their own stand in for machines. One PostgreSQL for this file, a database per test.
const server = usePostgres();

describe('PostgreSQL: several machines at once', () => {
  const harness = useHarness(() => makePostgresHarness(server), { migrate: true });

  it('hands each of 200 calls to exactly one of 4 claimers, each with a pool of its own', async () => {
    const h = harness();
    const stores = [h.store, ...(await Promise.all([1, 2, 3].map(() => h.openPeer())))];
    const release = await deploy(h.store);
    const ids = new Set(
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => enqueueNew(stores[i % 4] as Store, release, { args: { i } })),
      ),
    );
    expect(ids.size).toBe(200);
    const claims: { id: string; machine: number; token: number }[] = [];
    await Promise.all(
      stores.map(async (store, machine) => {
        for (;;) {
          const batch = await store.claim({ workerId: `machine_${machine}`, limit: 7, leaseMs: LEASE_MS });
          // Empty only when every call left is held by another claimer (SKIP LOCKED) or taken.
          if (batch.length === 0 && (await store.countByStatus()).queued === undefined) return;
          for (const { call, token } of batch) {
            claims.push({ id: call.id, machine, token });
            expect(await store.settle(call.id, token, { status: 'succeeded', data: machine })).toBe(true);
          }
        }
      }),
    );
    expect(claims).toHaveLength(200);
    expect(new Set(claims.map((c) => c.id))).toEqual(ids);
    expect(claims.every((c) => c.token === 1)).toBe(true);
    expect(new Set(claims.map((c) => c.machine)).size).toBeGreaterThan(1);
    expect(await h.store.countByStatus()).toEqual({ succeeded: 200 });
    const sample = claims[123] as (typeof claims)[number];
    expect(await h.store.listAttempts(sample.id)).toMatchObject([
      { attempt: 1, leaseToken: 1, workerId: `machine_${sample.machine}`, outcome: 'succeeded' },
    ]);
  });

  it('ends concurrent enqueues with one key on one call, from any machine', async () => {
    const h = harness();
    const stores = [h.store, ...(await Promise.all([1, 2, 3].map(() => h.openPeer())))];
    const release = await deploy(h.store);
    const keyed = { idempotencyKey: 'race', idempotencySource: 'header' as const };
    const outcomes = await Promise.all(
      Array.from({ length: 32 }, (_, i) => (stores[i % 4] as Store).enqueue(callInput(release, keyed))),
    );
    const created = outcomes.filter((o) => o.kind === 'created');
    expect(created).toHaveLength(1);
    const id = created[0]?.kind === 'created' ? created[0].call.id : '';
    expect(outcomes.map((o) => (o.kind === 'conflict' ? o.callId : o.call.id))).toEqual(
      outcomes.map(() => id),
    );
    expect(outcomes.filter((o) => o.kind === 'existing')).toHaveLength(31);
    expect(await h.store.countByStatus()).toEqual({ queued: 1 });

    // Other arguments under the same key: conflicts, never a second call.
    const others = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (stores[i % 4] as Store).enqueue(callInput(release, { ...keyed, args: { other: true } })),
      ),
    );
    expect(others).toEqual(others.map(() => ({ kind: 'conflict', callId: id })));
  });

  it('races new keys, expired keys and hand-off claims without a lost or doubled call', async () => {
    const h = harness();
    const stores = [h.store, ...(await Promise.all([1, 2, 3].map(() => h.openPeer())))];
    const release = await deploy(h.store);
    const old = await enqueueNew(h.store, release, { idempotencyKey: 'k0', idempotencySource: 'header' });
    await h.backdoor.setKeyExpiry(release.workspace, 'echo', 'k0', Date.now() - 1);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (stores[i % 4] as Store).enqueue(
          callInput(release, {
            idempotencyKey: `k${i % 5}`,
            idempotencySource: 'header',
            claimFor: i % 2 ? { workerId: `w${i}`, leaseMs: LEASE_MS } : undefined,
          }),
        ),
      ),
    );
    const created = outcomes.flatMap((o) => (o.kind === 'created' ? [o] : []));
    expect(created).toHaveLength(5);
    expect(outcomes.filter((o) => o.kind === 'conflict')).toEqual([]);
    for (const o of created) expect(o.token).toBe(o.call.status === 'running' ? 1 : null);
    const byKey = new Map(created.map((o) => [o.call.idempotencyKey, o.call.id]));
    for (const o of outcomes)
      if (o.kind === 'existing') expect(o.call.id).toBe(byKey.get(o.call.idempotencyKey));
    expect(byKey.get('k0')).not.toBe(old);
    const running = created.filter((o) => o.call.status === 'running');
    for (const o of running)
      expect(await h.store.listAttempts(o.call.id)).toMatchObject([
        { attempt: 1, leaseToken: 1, outcome: 'running' },
      ]);
  });

  it('creates a connection once when machines put it at the same moment, each seal naming its id', async () => {
    const h = harness();
    const stores = [h.store, ...(await Promise.all([1, 2, 3].map(() => h.openPeer())))];
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (stores[i % 4] as Store).putConnection({
          workspace: 'ws_main',
          name: 'crm',
          id: `conn_${i}`,
          connector: 'http',
          config: { n: i },
          secretNames: ['token'],
          seal: (id) => `sealed:${id}:${i}`,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    for (const r of results) expect(r.sealed).toBe(`sealed:${r.id}:${String(r.config.n)}`);
    const saved = await h.store.getConnection('ws_main', 'crm');
    expect(saved?.sealed).toBe(`sealed:${saved?.id}:${String(saved?.config.n)}`);
    expect(await h.store.listConnections('ws_main')).toHaveLength(1);
  });

  it('resumes a retry-safe failure once, however many retries arrive together', async () => {
    const h = harness();
    const peer = await h.openPeer();
    const release = await deploy(h.store);
    const keyed = { idempotencyKey: 'again', idempotencySource: 'header' as const };
    const id = await enqueueNew(h.store, release, keyed);
    const { token } = await claimOne(h.store);
    await h.store.settle(id, token, { status: 'failed', error: toolError('UPSTREAM_UNAVAILABLE', true) });
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? peer : h.store).enqueue(callInput(release, keyed))),
    );
    expect(outcomes.filter((o) => o.kind === 'existing' && o.resumed)).toHaveLength(1);
    expect(outcomes.every((o) => o.kind === 'existing' && o.call.id === id)).toBe(true);
    expect(await h.store.getCall(id)).toMatchObject({ status: 'queued', errorAttempts: 0 });
  });
});
