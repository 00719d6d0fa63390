import { expect, it } from 'vitest';
import type { StoreHarness } from '../store-contract.js';
import { claimOne, deploy, enqueueNew, expireLease, LEASE_MS, toolError } from './fixtures.js';

const step = {
  attempt: 1,
  stepPath: 'booking',
  kind: 'action',
  target: 'util.echo',
  effect: 'keyed',
  workerId: 'worker_a',
  request: null,
} as const;

/** A claimer with nothing else running, isolating calls from their first crash on. */
const ISOLATING = { isolation: { afterCrashes: 1, alone: true } };

export function recoveryContract(harness: () => StoreHarness): void {
  it('rejects every write of a holder whose lease was reclaimed', async () => {
    const h = harness();
    const { store } = h;
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const zombie = await claimOne(store, 'worker_a');
    const entry = await store.startStep(id, zombie.token, step);
    expect(entry).not.toBeNull();

    await expireLease(h, id);
    expect(await store.reclaimExpired({ maxCrashes: 3 })).toEqual([id]);
    expect(await store.getCall(id)).toMatchObject({ status: 'queued', crashCount: 1, leaseExpiresAt: null });
    expect(await store.heartbeat(id, zombie.token, LEASE_MS)).toEqual({ ok: false, status: 'queued' });
    const heir = await claimOne(store, 'worker_b');
    expect(heir.token).toBeGreaterThan(zombie.token);

    expect(await store.settle(id, zombie.token, { status: 'succeeded', data: 'zombie' })).toBe(false);
    expect(await store.heartbeat(id, zombie.token, LEASE_MS)).toEqual({ ok: false, status: 'running' });
    expect(await store.startStep(id, zombie.token, step)).toBeNull();
    expect(
      await store.finishStep(id, zombie.token, entry as number, {
        status: 'succeeded',
        output: 1,
        error: null,
        response: null,
      }),
    ).toBe(false);
    expect(await store.release(id, zombie.token)).toBe(false);

    expect(await store.settle(id, heir.token, { status: 'succeeded', data: 'heir' })).toBe(true);
    expect(await store.getCall(id)).toMatchObject({ status: 'succeeded', result: 'heir' });
    expect((await store.listJournal(id)).map((e) => e.status)).toEqual(['started']);
    const attempts = await store.listAttempts(id);
    expect(attempts.map((a) => [a.workerId, a.outcome])).toEqual([
      ['worker_a', 'crashed'],
      ['worker_b', 'succeeded'],
    ]);
    expect(attempts[0]?.note).toMatch(/stale/);
  });

  it('reclaims only expired leases', async () => {
    const h = harness();
    const release = await deploy(h.store);
    const expired = await enqueueNew(h.store, release);
    await enqueueNew(h.store, release);
    await h.store.claim({ workerId: 'w', limit: 2, leaseMs: LEASE_MS });
    await expireLease(h, expired);
    expect(await h.store.reclaimExpired({ maxCrashes: 3 })).toEqual([expired]);
    expect(await h.store.reclaimExpired({ maxCrashes: 3 })).toEqual([]);
    expect(await h.store.countByStatus()).toEqual({ queued: 1, running: 1 });
  });

  it('dead-letters a call once its crashes pass the limit, the last one running alone', async () => {
    const h = harness();
    const release = await deploy(h.store);
    const id = await enqueueNew(h.store, release);
    for (let crash = 1; crash <= 2; crash++) {
      const claimed = await h.store.claim({ ...ISOLATING, workerId: 'w', limit: 1, leaseMs: LEASE_MS });
      expect(claimed.map((c) => [c.call.id, c.isolated === true])).toEqual([[id, crash === 2]]);
      await expireLease(h, id);
      expect(await h.store.reclaimExpired({ maxCrashes: 1 })).toEqual([id]);
    }
    const call = await h.store.getCall(id);
    expect(call).toMatchObject({
      status: 'dead',
      crashCount: 2,
      leaseExpiresAt: null,
      error: { code: 'DEAD_LETTERED', retrySafe: false },
    });
    expect(call?.error?.message).toMatch(/2 times .*running it alone/);
    expect(call?.settledAt).not.toBeNull();
    expect((await h.store.listAttempts(id)).map((a) => a.outcome)).toEqual(['crashed', 'crashed']);
    expect(await h.store.claim({ workerId: 'w', limit: 1, leaseMs: LEASE_MS })).toEqual([]);
  });

  it('runs a call whose crashes reached the limit alone: only a claimer with nothing else, one call', async () => {
    const h = harness();
    const release = await deploy(h.store);
    const suspect = await enqueueNew(h.store, release, { args: { n: 'suspect' } });
    await claimOne(h.store);
    await expireLease(h, suspect);
    await h.store.reclaimExpired({ maxCrashes: 1 });
    const others = [
      await enqueueNew(h.store, release, { args: { n: 1 } }),
      await enqueueNew(h.store, release, { args: { n: 2 } }),
    ];
    // A busy claimer passes over it; an idle one gets it, and nothing with it.
    const busy = await h.store.claim({
      workerId: 'busy',
      limit: 5,
      leaseMs: LEASE_MS,
      isolation: { afterCrashes: 1, alone: false },
    });
    expect(busy.map((c) => c.call.id)).toEqual([others[0], others[1]]);
    const idle = await h.store.claim({ ...ISOLATING, workerId: 'idle', limit: 5, leaseMs: LEASE_MS });
    expect(idle.map((c) => [c.call.id, c.isolated])).toEqual([[suspect, true]]);
  });

  it('requeues a call that crashed past the limit among others, to run alone; its crash alone dead-letters it', async () => {
    const h = harness();
    const release = await deploy(h.store);
    const id = await enqueueNew(h.store, release);
    // Claimers that do not isolate: a crash past the limit, in company, is not the call's fault yet.
    for (let crash = 1; crash <= 2; crash++) {
      await claimOne(h.store);
      await expireLease(h, id);
      await h.store.reclaimExpired({ maxCrashes: 1 });
    }
    expect(await h.store.getCall(id)).toMatchObject({ status: 'queued', crashCount: 2 });
    const alone = await h.store.claim({ ...ISOLATING, workerId: 'w', limit: 1, leaseMs: LEASE_MS });
    expect(alone.map((c) => c.isolated)).toEqual([true]);
    await expireLease(h, id);
    await h.store.reclaimExpired({ maxCrashes: 1 });
    expect(await h.store.getCall(id)).toMatchObject({ status: 'dead', crashCount: 3 });
  });

  it('dead-letters a call that keeps crashing among others past twice the limit plus one (backstop)', async () => {
    const h = harness();
    const release = await deploy(h.store);
    const id = await enqueueNew(h.store, release);
    for (let crash = 1; crash <= 4; crash++) {
      await claimOne(h.store);
      await expireLease(h, id);
      await h.store.reclaimExpired({ maxCrashes: 1 });
      expect((await h.store.getCall(id))?.status).toBe(crash < 4 ? 'queued' : 'dead');
    }
  });

  it('makes a retry_wait call claimable only once its run_after has passed', async () => {
    const h = harness();
    const release = await deploy(h.store);
    const id = await enqueueNew(h.store, release);
    const first = await claimOne(h.store);
    const runAfter = Date.now() + 60_000;
    const error = toolError('UPSTREAM_UNAVAILABLE', true);
    expect(await h.store.settle(id, first.token, { status: 'retry_wait', error, runAfter })).toBe(true);
    expect(await h.store.getCall(id)).toMatchObject({
      status: 'retry_wait',
      errorAttempts: 1,
      error,
      runAfter,
      settledAt: null,
      leaseExpiresAt: null,
    });
    expect(await h.store.listAttempts(id)).toMatchObject([{ outcome: 'retry', error }]);
    expect(await h.store.claim({ workerId: 'w', limit: 1, leaseMs: LEASE_MS })).toEqual([]);
    expect(await h.store.nextWakeAt()).toBe(runAfter);

    await h.backdoor.setCallTimes(id, { runAfter: Date.now() - 1 });
    const second = await claimOne(h.store);
    expect(second.call).toMatchObject({ id, attempt: 2, errorAttempts: 1 });
    expect(second.token).toBeGreaterThan(first.token);
  });

  it('lets a retry whose run_after is already past be claimed at once', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const { token } = await claimOne(store);
    await store.settle(id, token, {
      status: 'retry_wait',
      error: toolError('RATE_LIMITED', true),
      runAfter: Date.now() - 10,
    });
    expect((await claimOne(store)).call.id).toBe(id);
  });
}
