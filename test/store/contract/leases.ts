import { expect, it } from 'vitest';
import type { StoreHarness } from '../store-contract.js';
import { claimOne, deploy, enqueueNew, expectNear, LEASE_MS, toolError } from './fixtures.js';

export function leasesContract(harness: () => StoreHarness): void {
  it('claims a call: running, a new token, a lease and an attempt record', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const before = Date.now();
    const { call, token } = await claimOne(store, 'worker_a');
    expect(call).toMatchObject({
      id,
      status: 'running',
      attempt: 1,
      leaseToken: token,
      workerId: 'worker_a',
    });
    expect(token).toBe(1);
    expectNear(call.leaseExpiresAt, before + LEASE_MS);
    expect(await store.claim({ workerId: 'worker_b', limit: 5, leaseMs: LEASE_MS })).toEqual([]);
    const attempts = await store.listAttempts(id);
    expect(attempts).toMatchObject([
      {
        callId: id,
        attempt: 1,
        leaseToken: 1,
        workerId: 'worker_a',
        outcome: 'running',
        error: null,
        endedAt: null,
      },
    ]);
  });

  it('claims oldest first, up to the limit', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await enqueueNew(store, release, { args: { i } }));
    const claimed = await store.claim({ workerId: 'w', limit: 3, leaseMs: LEASE_MS });
    expect(claimed.map((c) => c.call.id)).toEqual(ids.slice(0, 3));
    expect((await store.claim({ workerId: 'w', limit: 3, leaseMs: LEASE_MS })).map((c) => c.call.id)).toEqual(
      [ids[3]],
    );
    expect(await store.claim({ workerId: 'w', limit: 0, leaseMs: LEASE_MS })).toEqual([]);
  });

  it('never hands one call to two claimers', async () => {
    const { store, openPeer } = harness();
    const peer = await openPeer();
    const release = await deploy(store);
    const ids = new Set<string>();
    for (let i = 0; i < 40; i++) ids.add(await enqueueNew(store, release, { args: { i } }));
    const rounds = Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? store : peer).claim({ workerId: `w${i}`, limit: 3, leaseMs: LEASE_MS }),
    );
    const claimed = (await Promise.all(rounds)).flat().map((c) => c.call.id);
    claimed.push(
      ...(await peer.claim({ workerId: 'last', limit: 100, leaseMs: LEASE_MS })).map((c) => c.call.id),
    );
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed)).toEqual(ids);
  });

  it('raises the fencing token with every claim', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const first = await claimOne(store);
    expect(await store.release(id, first.token)).toBe(true);
    expect(await store.getCall(id)).toMatchObject({
      status: 'queued',
      leaseExpiresAt: null,
      errorAttempts: 0,
      crashCount: 0,
    });
    const second = await claimOne(store, 'worker_b');
    expect(second.token).toBeGreaterThan(first.token);
    expect(second.call.attempt).toBe(2);
    expect(await store.release(id, first.token)).toBe(false);
    expect((await store.listAttempts(id)).map((a) => [a.attempt, a.leaseToken, a.outcome])).toEqual([
      [1, first.token, 'released'],
      [2, second.token, 'running'],
    ]);
  });

  it('extends a lease on heartbeat', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const { token } = await claimOne(store, 'worker_a', 1_000);
    const before = Date.now();
    const beat = await store.heartbeat(id, token, 60_000);
    expect(beat.ok).toBe(true);
    if (!beat.ok) return;
    expectNear(beat.leaseExpiresAt, before + 60_000);
    expect((await store.getCall(id))?.leaseExpiresAt).toBe(beat.leaseExpiresAt);
    expect(await store.heartbeat(id, token + 1, 60_000)).toEqual({ ok: false, status: 'running' });
    expect(await store.heartbeat('call_unknown', 1, 60_000)).toEqual({ ok: false, status: null });
  });

  it('settles a call once, with its result and attempt outcome', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const { token } = await claimOne(store);
    const before = Date.now();
    expect(await store.settle(id, token, { status: 'succeeded', data: { booking: 'B-1' } })).toBe(true);
    const call = await store.getCall(id);
    expect(call).toMatchObject({
      status: 'succeeded',
      result: { booking: 'B-1' },
      error: null,
      leaseExpiresAt: null,
    });
    expectNear(call?.settledAt, before);
    expect(await store.settle(id, token, { status: 'failed', error: toolError('LATE', false) })).toBe(false);
    expect(await store.getCall(id)).toMatchObject({ status: 'succeeded' });
    expect(await store.listAttempts(id)).toMatchObject([{ outcome: 'succeeded', error: null }]);
    expect((await store.listAttempts(id))[0]?.endedAt).not.toBeNull();
  });

  it('records failed, dead and outcome_unknown settlements as terminal', async () => {
    const { store } = harness();
    const release = await deploy(store);
    for (const status of ['failed', 'dead', 'outcome_unknown'] as const) {
      const id = await enqueueNew(store, release);
      const { token } = await claimOne(store);
      expect(await store.settle(id, token, { status, error: toolError('BOOM', false) })).toBe(true);
      const call = await store.getCall(id);
      expect(call).toMatchObject({ status, error: toolError('BOOM', false), result: null });
      expect(call?.settledAt).not.toBeNull();
      expect(await store.listAttempts(id)).toMatchObject([{ outcome: status, error: { code: 'BOOM' } }]);
    }
  });
}
