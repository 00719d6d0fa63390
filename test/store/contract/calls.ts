import { expect, it } from 'vitest';
import type { StoreHarness } from '../store-contract.js';
import { claimOne, deploy, enqueueNew, toolError } from './fixtures.js';

const step = {
  attempt: 1,
  stepPath: 'charge',
  kind: 'action',
  target: 'stripe.charge',
  effect: 'keyed',
  workerId: 'w',
  request: null,
} as const;

export function callsContract(harness: () => StoreHarness): void {
  it('cancels a queued call', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const cancelled = await store.cancel(id, 'the guest changed their mind');
    expect(cancelled).toMatchObject({
      id,
      status: 'cancelled',
      error: { code: 'CANCELLED', message: 'the guest changed their mind', retrySafe: false },
    });
    expect(cancelled?.settledAt).not.toBeNull();
    expect(await store.claim({ workerId: 'w', limit: 1, leaseMs: 1_000 })).toEqual([]);
  });

  it("cancels a running call and makes its holder's writes stale", async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const { token } = await claimOne(store);
    const entry = (await store.startStep(id, token, step)) as number;
    expect(await store.cancel(id, 'operator')).toMatchObject({ status: 'cancelled', leaseExpiresAt: null });
    expect(await store.heartbeat(id, token, 1_000)).toEqual({ ok: false, status: 'cancelled' });
    expect(await store.settle(id, token, { status: 'succeeded', data: null })).toBe(false);
    expect(await store.startStep(id, token, step)).toBeNull();
    expect(
      await store.finishStep(id, token, entry, {
        status: 'succeeded',
        output: null,
        error: null,
        response: null,
      }),
    ).toBe(false);
    expect(await store.getCall(id)).toMatchObject({ status: 'cancelled' });
    expect(await store.listAttempts(id)).toMatchObject([
      { outcome: 'cancelled', error: { code: 'CANCELLED' } },
    ]);
  });

  it('leaves a settled call alone and knows no unknown call', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const { token } = await claimOne(store);
    await store.settle(id, token, { status: 'succeeded', data: 7 });
    expect(await store.cancel(id, 'too late')).toMatchObject({ status: 'succeeded', result: 7, error: null });
    expect(await store.cancel('call_unknown', 'x')).toBeNull();
  });

  it('requeues failed, dead and outcome_unknown calls with a fresh budget', async () => {
    const { store } = harness();
    const release = await deploy(store);
    for (const status of ['failed', 'dead', 'outcome_unknown'] as const) {
      const id = await enqueueNew(store, release);
      const { token } = await claimOne(store);
      await store.settle(id, token, { status, error: toolError('X', false) });
      const before = Date.now();
      const requeued = await store.requeue(id);
      expect(requeued).toMatchObject({
        id,
        status: 'queued',
        error: null,
        settledAt: null,
        errorAttempts: 0,
        crashCount: 0,
        attempt: 1,
      });
      expect(requeued?.runAfter).toBeGreaterThanOrEqual(before);
      const again = await claimOne(store);
      expect(again).toMatchObject({ call: { id, attempt: 2 }, token: token + 1 });
      await store.settle(id, again.token, { status: 'succeeded', data: null });
    }
  });

  it('does not requeue a call that succeeded or is still in flight', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const queued = await enqueueNew(store, release);
    expect(await store.requeue(queued)).toMatchObject({ status: 'queued', attempt: 0 });
    const { token } = await claimOne(store);
    expect(await store.requeue(queued)).toMatchObject({ status: 'running' });
    await store.settle(queued, token, { status: 'succeeded', data: 1 });
    expect(await store.requeue(queued)).toMatchObject({ status: 'succeeded', result: 1 });
    expect(await store.requeue('call_unknown')).toBeNull();
  });

  it('lists calls newest first, filtered by workspace, status and tool', async () => {
    const { store } = harness();
    const main = await deploy(store, 'ws_main', { echo: 'e', book: 'b' });
    const other = await deploy(store, 'ws_other');
    const a = await enqueueNew(store, main);
    const b = await enqueueNew(store, main, { tool: 'book' });
    const c = await enqueueNew(store, main);
    const d = await enqueueNew(store, other);
    await claimOne(store);
    const ids = async (filter: Parameters<typeof store.listCalls>[0]) =>
      (await store.listCalls(filter)).map((call) => call.id);
    expect(await ids({})).toEqual([d, c, b, a]);
    expect(await ids({ workspace: 'ws_main' })).toEqual([c, b, a]);
    expect(await ids({ workspace: 'ws_main', status: 'queued' })).toEqual([c, b]);
    expect(await ids({ workspace: 'ws_main', tool: 'book' })).toEqual([b]);
    expect(await ids({ status: 'running' })).toEqual([a]);
    expect(await ids({ limit: 2 })).toEqual([d, c]);
    expect((await store.getCalls([a, d, 'call_unknown'])).map((call) => call.id).sort()).toEqual(
      [a, d].sort(),
    );
    expect(await store.getCalls([])).toEqual([]);
    // Only those in the statuses asked for (waiters ask for settled ones): `a` runs, `d` is queued.
    expect((await store.getCalls([a, d], ['running'])).map((call) => call.id)).toEqual([a]);
    expect(await store.getCalls([a, d], ['succeeded', 'failed'])).toEqual([]);
  });

  it('counts calls per status, overall and per workspace', async () => {
    const { store } = harness();
    const main = await deploy(store, 'ws_main');
    const other = await deploy(store, 'ws_other');
    expect(await store.countByStatus()).toEqual({});
    for (let i = 0; i < 3; i++) await enqueueNew(store, main);
    await enqueueNew(store, other);
    const { call, token } = await claimOne(store);
    await store.settle(call.id, token, { status: 'succeeded', data: null });
    await claimOne(store);
    expect(await store.countByStatus()).toEqual({ queued: 2, running: 1, succeeded: 1 });
    expect(await store.countByStatus('ws_main')).toEqual({ queued: 1, running: 1, succeeded: 1 });
    expect(await store.countByStatus('ws_other')).toEqual({ queued: 1 });
    // The autoscaler's depth: live calls of every workspace, the settled one left out.
    expect(await store.queueDepth()).toBe(3);
  });
}
