import { expect, it } from 'vitest';
import type { StepStart } from '../../../src/store/store.js';
import type { StoreHarness } from '../store-contract.js';
import { callInput, claimOne, deploy, expectNear, expireLease, LEASE_MS } from './fixtures.js';

const start: StepStart = {
  attempt: 1,
  stepPath: 'echo',
  kind: 'action',
  target: 'util.echo',
  effect: 'none',
  workerId: 'worker_h',
  request: { message: 'hi' },
};
const done = { status: 'succeeded' as const, output: 'hi', error: null, response: 'hi' };

/** Enqueue with `claimFor` (the gateway's hand-off) and write-behind journal entries. */
export function handOffContract(harness: () => StoreHarness): void {
  it('inserts a new call already claimed for the named worker, with its attempt record', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const before = Date.now();
    const outcome = await store.enqueue(
      callInput(release, { claimFor: { workerId: 'worker_h', leaseMs: LEASE_MS } }),
    );
    expect(outcome).toMatchObject({
      kind: 'created',
      token: 1,
      call: { status: 'running', attempt: 1, leaseToken: 1, workerId: 'worker_h' },
    });
    if (outcome.kind !== 'created') return;
    expectNear(outcome.call.leaseExpiresAt, before + LEASE_MS);
    // The record handed out is the row as stored, read back or not.
    expect(await store.getCall(outcome.call.id)).toEqual(outcome.call);
    expect(await store.listAttempts(outcome.call.id)).toMatchObject([
      { attempt: 1, leaseToken: 1, workerId: 'worker_h', outcome: 'running' },
    ]);
    // Nobody else can claim it, and the holder settles it with the token it was given.
    expect(await store.claim({ workerId: 'worker_b', limit: 5, leaseMs: LEASE_MS })).toEqual([]);
    expect(await store.settle(outcome.call.id, 1, { status: 'succeeded', data: 'ok' })).toBe(true);
    expect(await store.getCall(outcome.call.id)).toMatchObject({ status: 'succeeded', result: 'ok' });
  });

  it('never claims an existing call found by its key', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const keyed = { idempotencyKey: 'k', idempotencySource: 'header' as const };
    const first = await store.enqueue(callInput(release, keyed));
    const again = await store.enqueue(
      callInput(release, { ...keyed, claimFor: { workerId: 'worker_h', leaseMs: LEASE_MS } }),
    );
    expect(first).toMatchObject({ kind: 'created', token: null, call: { status: 'queued' } });
    expect(again).toMatchObject({ kind: 'existing', call: { status: 'queued', attempt: 0 } });
  });

  it('a handed-over call whose worker died is reclaimed like any other', async () => {
    const h = harness();
    const release = await deploy(h.store);
    const outcome = await h.store.enqueue(
      callInput(release, { claimFor: { workerId: 'worker_h', leaseMs: LEASE_MS } }),
    );
    if (outcome.kind !== 'created') throw new Error('expected created');
    await expireLease(h, outcome.call.id);
    expect(await h.store.reclaimExpired({ maxCrashes: 3 })).toEqual([outcome.call.id]);
    const { call, token } = await claimOne(h.store, 'worker_b');
    expect(call).toMatchObject({ id: outcome.call.id, attempt: 2, crashCount: 1 });
    expect(token).toBe(2);
    expect(await h.store.settle(call.id, 1, { status: 'succeeded', data: 'stale' })).toBe(false);
  });

  it('applies write-behind entries in order: a start, then its end found by step path', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const outcome = await store.enqueue(
      callInput(release, { claimFor: { workerId: 'worker_h', leaseMs: LEASE_MS } }),
    );
    if (outcome.kind !== 'created') throw new Error('expected created');
    const id = outcome.call.id;
    expect(await store.appendJournal(id, 1, [{ kind: 'start', start }])).toBe(true);
    expect(await store.listJournal(id)).toMatchObject([{ stepPath: 'echo', status: 'started' }]);
    const second = { ...start, stepPath: 'again' };
    await store.settle(id, 1, { status: 'succeeded', data: 'hi' }, [
      { kind: 'finish', attempt: 1, stepPath: 'echo', finish: done },
      { kind: 'start', start: second },
      { kind: 'finish', attempt: 1, stepPath: 'again', finish: done },
    ]);
    expect(await store.listJournal(id)).toMatchObject([
      { stepPath: 'echo', status: 'succeeded', output: 'hi', leaseToken: 1 },
      { stepPath: 'again', status: 'succeeded', output: 'hi', leaseToken: 1 },
    ]);
  });

  it('applies the write-behind entries a step start carries before that start (they are earlier steps)', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const outcome = await store.enqueue(
      callInput(release, { claimFor: { workerId: 'worker_h', leaseMs: LEASE_MS } }),
    );
    if (outcome.kind !== 'created') throw new Error('expected created');
    const id = outcome.call.id;
    const charge: StepStart = { ...start, stepPath: 'charge', effect: 'unsafe', target: 'stripe.charge' };
    const entry = await store.startStep(id, 1, charge, [
      { kind: 'record', start, finish: done },
      { kind: 'start', start: { ...start, stepPath: 'lookup' } },
    ]);
    const journal = await store.listJournal(id);
    expect(journal.map((e) => [e.stepPath, e.status])).toEqual([
      ['echo', 'succeeded'],
      ['lookup', 'started'],
      ['charge', 'started'],
    ]);
    expect(entry).toBe(journal[2]?.id);
    expect(await store.startStep(id, 2, charge, [{ kind: 'record', start, finish: done }])).toBeNull();
    expect(await store.listJournal(id)).toHaveLength(3);
  });

  it('refuses write-behind entries from a stale holder', async () => {
    const h = harness();
    const release = await deploy(h.store);
    const outcome = await h.store.enqueue(
      callInput(release, { claimFor: { workerId: 'worker_h', leaseMs: LEASE_MS } }),
    );
    if (outcome.kind !== 'created') throw new Error('expected created');
    await expireLease(h, outcome.call.id);
    await h.store.reclaimExpired({ maxCrashes: 3 });
    expect(await h.store.appendJournal(outcome.call.id, 1, [{ kind: 'start', start }])).toBe(false);
    expect(await h.store.listJournal(outcome.call.id)).toEqual([]);
  });
}
