import { expect, it } from 'vitest';
import type { StoreHarness } from '../store-contract.js';
import { callInput, claimOne, deploy, enqueueNew, expectNear, toolError } from './fixtures.js';

export function enqueueContract(harness: () => StoreHarness): void {
  const keyed = { idempotencyKey: 'key-1', idempotencySource: 'header' as const };

  it('creates a queued call that keeps everything it was given', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const input = callInput(release, {
      args: { guest: 'a@b.c', nested: { n: [1, 2] } },
      deadlineAt: Date.now() + 5_000,
      meta: { server: 'default' },
      ...keyed,
    });
    const before = Date.now();
    const outcome = await store.enqueue(input);
    expect(outcome.kind).toBe('created');
    if (outcome.kind !== 'created') return;
    expect(outcome.call).toMatchObject({
      id: input.id,
      workspace: input.workspace,
      tool: 'echo',
      releaseId: release.id,
      args: input.args,
      argsHash: input.argsHash,
      idempotencyKey: 'key-1',
      idempotencySource: 'header',
      status: 'queued',
      attempt: 0,
      errorAttempts: 0,
      crashCount: 0,
      maxAttempts: 3,
      leaseToken: 0,
      leaseExpiresAt: null,
      workerId: null,
      deadlineAt: input.deadlineAt,
      result: null,
      error: null,
      meta: { server: 'default' },
      settledAt: null,
    });
    expectNear(outcome.call.createdAt, before);
    expect(outcome.call.runAfter).toBe(outcome.call.createdAt);
    expect(await store.getCall(input.id)).toEqual(outcome.call);
    expect(await store.getCall('call_unknown')).toBeNull();
  });

  it('finds the same call for the same key and arguments, and reports a conflict for other arguments', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release, keyed);
    const again = await store.enqueue(callInput(release, keyed));
    expect(again).toMatchObject({ kind: 'existing', resumed: false, call: { id } });
    const other = await store.enqueue(callInput(release, { ...keyed, args: { n: 2 } }));
    expect(other).toEqual({ kind: 'conflict', callId: id });
  });

  it('scopes keys per workspace and tool', async () => {
    const { store } = harness();
    const release = await deploy(store, 'ws_main', { echo: 'e', book: 'b' });
    const elsewhere = await deploy(store, 'ws_other');
    const ids = [
      await enqueueNew(store, release, keyed),
      await enqueueNew(store, release, { ...keyed, tool: 'book' }),
      await enqueueNew(store, elsewhere, keyed),
    ];
    expect(new Set(ids).size).toBe(3);
  });

  it('returns a settled call as it settled', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release, keyed);
    const { token } = await claimOne(store);
    await store.settle(id, token, { status: 'succeeded', data: { ok: 1 } });
    const again = await store.enqueue(callInput(release, keyed));
    expect(again).toMatchObject({
      kind: 'existing',
      resumed: false,
      call: { id, status: 'succeeded', result: { ok: 1 } },
    });
  });

  it('resumes a call that failed with a retry-safe error, with a fresh budget', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release, keyed);
    const first = await claimOne(store);
    await store.settle(id, first.token, { status: 'failed', error: toolError('UPSTREAM_UNAVAILABLE', true) });
    const deadlineAt = Date.now() + 60_000;
    const again = await store.enqueue(callInput(release, { ...keyed, deadlineAt }));
    expect(again).toMatchObject({
      kind: 'existing',
      resumed: true,
      call: { id, status: 'queued', error: null, settledAt: null, errorAttempts: 0, deadlineAt, attempt: 1 },
    });
    const second = await claimOne(store);
    expect(second.call.id).toBe(id);
    expect(second.token).toBeGreaterThan(first.token);
  });

  it('does not resume a call that failed for good', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release, keyed);
    const { token } = await claimOne(store);
    await store.settle(id, token, { status: 'failed', error: toolError('GUEST_NOT_FOUND', false) });
    const again = await store.enqueue(callInput(release, keyed));
    expect(again).toMatchObject({
      kind: 'existing',
      resumed: false,
      call: { id, status: 'failed', error: { code: 'GUEST_NOT_FOUND' } },
    });
  });

  it('replaces an expired key with a new call', async () => {
    const { store, backdoor } = harness();
    const release = await deploy(store);
    const oldId = await enqueueNew(store, release, keyed);
    await backdoor.setKeyExpiry(release.workspace, 'echo', 'key-1', Date.now() - 1);
    const fresh = await store.enqueue(callInput(release, { ...keyed, args: { n: 99 } }));
    expect(fresh.kind).toBe('created');
    if (fresh.kind !== 'created') return;
    expect(fresh.call.id).not.toBe(oldId);
    expect(await store.enqueue(callInput(release, { ...keyed, args: { n: 99 } }))).toMatchObject({
      kind: 'existing',
      call: { id: fresh.call.id },
    });
    expect(await store.getCall(oldId)).not.toBeNull();
  });

  it('keeps a key for its ttl', async () => {
    const { store } = harness();
    const release = await deploy(store);
    await enqueueNew(store, release, { ...keyed, keyTtlMs: 0 });
    // A key that lived 0 ms is already expired: the same key makes a new call.
    expect((await store.enqueue(callInput(release, keyed))).kind).toBe('created');
  });
}
