import { expect, it } from 'vitest';
import type { StoreHarness } from '../store-contract.js';
import { callInput, changeSignal, claimOne, deploy, enqueueNew, LEASE_MS } from './fixtures.js';

export function housekeepingContract(harness: () => StoreHarness): void {
  it("signals a change after this store's own commit", async () => {
    const { store } = harness();
    const release = await deploy(store);
    const signal = changeSignal(store);
    await enqueueNew(store, release);
    expect(await signal.fired).toBe(true);
  });

  it("signals a change after another store's commit (another process)", async () => {
    const { store, openPeer } = harness();
    const peer = await openPeer();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    for (const write of [
      () => enqueueNew(peer, release),
      () => peer.claim({ workerId: 'peer', limit: 1, leaseMs: LEASE_MS }),
      () => peer.cancel(id, 'x'),
    ]) {
      const signal = changeSignal(store);
      await write();
      expect(await signal.fired).toBe(true);
    }
  });

  it('stops signalling an unsubscribed listener', async () => {
    const { store, openPeer } = harness();
    const peer = await openPeer();
    const release = await deploy(store);
    let calls = 0;
    const unsubscribe = store.onChange(() => calls++);
    unsubscribe();
    await enqueueNew(store, release);
    await enqueueNew(peer, release);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(0);
  });

  it('coalesces a burst of commits into few signals', async () => {
    const { store } = harness();
    const release = await deploy(store);
    let calls = 0;
    const unsubscribe = store.onChange(() => calls++);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.enqueue(callInput(release, { args: { i } }))),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    unsubscribe();
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThan(20);
  });

  it('wakes at the earliest retry or lease expiry', async () => {
    const { store } = harness();
    const release = await deploy(store);
    expect(await store.nextWakeAt()).toBeNull();
    await enqueueNew(store, release);
    expect(await store.nextWakeAt()).toBeNull();
    const running = await claimOne(store, 'w', 60_000);
    expect(await store.nextWakeAt()).toBe(running.call.leaseExpiresAt);
    const id = await enqueueNew(store, release);
    const { token } = await claimOne(store, 'w', 120_000);
    const runAfter = Date.now() + 30_000;
    await store.settle(id, token, {
      status: 'retry_wait',
      error: { code: 'RATE_LIMITED', message: 'slow down', retrySafe: true },
      runAfter,
    });
    expect(await store.nextWakeAt()).toBe(runAfter);
    await store.settle(running.call.id, running.token, { status: 'succeeded', data: null });
    expect(await store.nextWakeAt()).toBe(runAfter);
  });

  it('prunes settled calls with their journal, attempts and keys, and expired keys', async () => {
    const { store, backdoor } = harness();
    const release = await deploy(store);
    const old = await enqueueNew(store, release, { idempotencyKey: 'old', idempotencySource: 'header' });
    const recent = await enqueueNew(store, release);
    const pending = await enqueueNew(store, release, {
      idempotencyKey: 'pending',
      idempotencySource: 'meta',
    });
    for (const id of [old, recent]) {
      const claimed = await claimOne(store);
      expect(claimed.call.id).toBe(id);
      const entry = (await store.startStep(id, claimed.token, {
        attempt: 1,
        stepPath: 's',
        kind: 'action',
        target: 'util.echo',
        effect: 'none',
        workerId: 'w',
        request: null,
      })) as number;
      await store.finishStep(id, claimed.token, entry, {
        status: 'succeeded',
        output: 1,
        error: null,
        response: null,
      });
      await store.settle(id, claimed.token, { status: 'succeeded', data: 1 });
    }
    const cutoff = Date.now() - 60_000;
    await backdoor.setCallTimes(old, { settledAt: cutoff - 1_000 });
    await backdoor.setKeyExpiry(release.workspace, 'echo', 'pending', Date.now() - 1);

    expect(await store.prune({ settledBefore: cutoff })).toEqual({ calls: 1, keys: 2 });
    expect(await store.getCall(old)).toBeNull();
    expect(await store.listJournal(old)).toEqual([]);
    expect(await store.listAttempts(old)).toEqual([]);
    expect(await store.getCall(recent)).not.toBeNull();
    expect(await store.listJournal(recent)).toHaveLength(1);
    expect(await store.getCall(pending)).toMatchObject({ status: 'queued' });
    // Pruning a key frees it.
    expect(
      (await store.enqueue(callInput(release, { idempotencyKey: 'old', idempotencySource: 'header' }))).kind,
    ).toBe('created');
    expect(await store.prune({ settledBefore: cutoff })).toEqual({ calls: 0, keys: 0 });
  });
}
