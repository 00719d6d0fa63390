import { expect, it } from 'vitest';
import { newAskToken } from '../../../src/core/ids.js';
import type { InputRequestMap, NewAsk, Store } from '../../../src/store/store.js';
import type { StoreHarness } from '../store-contract.js';
import { changeSignal, claimOne, deploy, enqueueNew, expectNear, LEASE_MS } from './fixtures.js';

const NAME: InputRequestMap = {
  user_name: {
    method: 'elicitation/create',
    params: { message: 'What is your name?', requestedSchema: { type: 'object' } },
  },
};
const TWO: InputRequestMap = { ...NAME, client_roots: { method: 'roots/list', params: {} } };

function newAsk(attempt: number, requests: InputRequestMap = NAME, ttlMs = 60_000): NewAsk {
  return {
    token: newAskToken(),
    step: {
      attempt,
      stepPath: 'user_name',
      kind: 'ask',
      target: null,
      effect: 'none',
      workerId: 'worker_a',
      request: requests,
    },
    requests,
    ttlMs,
  };
}

/** A call claimed and suspended on an ask; returns its id and the ask's token. */
async function suspended(
  store: Store,
  options: { requests?: InputRequestMap; ttlMs?: number; deadlineAt?: number | null } = {},
): Promise<{ id: string; token: string }> {
  const release = await deploy(store);
  const id = await enqueueNew(store, release, { deadlineAt: options.deadlineAt ?? null });
  const claimed = await claimOne(store);
  const ask = newAsk(claimed.call.attempt, options.requests, options.ttlMs);
  expect(await store.suspend(id, claimed.token, ask)).toBe(true);
  return { id, token: ask.token };
}

export function asksContract(harness: () => StoreHarness): void {
  it('suspends a running call for input: input_required, the ask open, its step journaled, the attempt ended', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const claimed = await claimOne(store);
    const ask = newAsk(claimed.call.attempt, NAME, 60_000);
    const signal = changeSignal(store);
    expect(
      await store.suspend(id, claimed.token, ask, [
        {
          kind: 'record',
          start: { ...ask.step, stepPath: 'before', kind: 'return', request: null },
          finish: { status: 'skipped', output: null, error: null, response: null },
        },
      ]),
    ).toBe(true);
    expect(await signal.fired).toBe(true);

    const call = await store.getCall(id);
    expect(call?.status).toBe('input_required');
    expect(call?.leaseExpiresAt).toBeNull();
    expectNear(call?.runAfter, Date.now() + 60_000, 5_000);
    const open = await store.getOpenAsk(id);
    expect(open).toMatchObject({
      token: ask.token,
      callId: id,
      stepPath: 'user_name',
      attempt: claimed.call.attempt,
      requests: NAME,
      answers: {},
      status: 'open',
      answeredAt: null,
    });
    expect(await store.getAsk(ask.token)).toEqual(open);
    const journal = await store.listJournal(id);
    expect(journal.map((e) => [e.stepPath, e.kind, e.status])).toEqual([
      ['before', 'return', 'skipped'],
      ['user_name', 'ask', 'started'],
    ]);
    expect(journal[1]?.request).toEqual(NAME);
    expect((await store.listAttempts(id)).map((a) => a.outcome)).toEqual(['input_required']);
    // Waiting for input is not claimable, and its expiry is a wake-up moment.
    expect(await store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE_MS })).toEqual([]);
    expectNear(await store.nextWakeAt(), Date.now() + 60_000, 5_000);
    expect(await store.countByStatus()).toMatchObject({ input_required: 1 });
  });

  it('refuses a suspension from a stale holder: nothing changes', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const claimed = await claimOne(store);
    const ask = newAsk(claimed.call.attempt);
    expect(await store.suspend(id, claimed.token + 1, ask)).toBe(false);
    expect((await store.getCall(id))?.status).toBe('running');
    expect(await store.getAsk(ask.token)).toBeNull();
    expect(await store.listJournal(id)).toEqual([]);
    await store.cancel(id, 'gone');
    expect(await store.suspend(id, claimed.token, ask)).toBe(false);
    expect(await store.getOpenAsk(id)).toBeNull();
  });

  it('records answers one key at a time; the last one queues the call, journals the answers and moves the deadline', async () => {
    const { store } = harness();
    const deadlineAt = Date.now() + 600_000;
    const { id, token } = await suspended(store, { requests: TWO, deadlineAt });
    const partial = await store.answerAsk(token, {
      user_name: { action: 'accept', content: { name: 'Ada' } },
      unknown_key: { ignored: true },
    });
    expect(partial?.kind).toBe('partial');
    expect(partial?.ask.answers).toEqual({ user_name: { action: 'accept', content: { name: 'Ada' } } });
    expect((await store.getCall(id))?.status).toBe('input_required');
    expect((await store.getOpenAsk(id))?.answers).toEqual(partial?.ask.answers);

    const signal = changeSignal(store);
    const done = await store.answerAsk(token, { client_roots: { roots: [{ uri: 'file:///r' }] } });
    expect(done?.kind).toBe('answered');
    expect(await signal.fired).toBe(true);
    const answers = {
      user_name: { action: 'accept', content: { name: 'Ada' } },
      client_roots: { roots: [{ uri: 'file:///r' }] },
    };
    expect(done?.ask).toMatchObject({ status: 'answered', answers });
    const call = await store.getCall(id);
    expect(call?.status).toBe('queued');
    expect(call?.deadlineAt).toBeGreaterThanOrEqual(deadlineAt);
    const entry = (await store.listJournal(id)).find((e) => e.kind === 'ask');
    expect(entry).toMatchObject({ status: 'succeeded', output: answers });
    expect(await store.getOpenAsk(id)).toBeNull();
    // Answering again changes nothing: the ask is closed.
    expect((await store.answerAsk(token, answers))?.kind).toBe('closed');
    expect(await store.answerAsk(`${token}-TAMPERED`, answers)).toBeNull();
    // The queued call is claimable again, as a new attempt.
    const again = await claimOne(store);
    expect(again.call.id).toBe(id);
    expect(again.call.attempt).toBe(2);
  });

  it('fails calls whose ask outlived its ttl with a retry-safe INPUT_TIMEOUT; late answers find it closed', async () => {
    const h = harness();
    const { store, openPeer } = h;
    const { id, token } = await suspended(store);
    expect(await store.expireAsks()).toEqual([]);
    await h.backdoor.setCallTimes(id, { runAfter: Date.now() - 1_000 });
    const peer = await openPeer();
    const signal = changeSignal(peer);
    expect(await store.expireAsks()).toEqual([id]);
    expect(await signal.fired).toBe(true);
    const call = await store.getCall(id);
    expect(call?.status).toBe('failed');
    expect(call?.error).toMatchObject({ code: 'INPUT_TIMEOUT', retrySafe: true });
    expect(call?.settledAt).not.toBeNull();
    expect((await store.getAsk(token))?.status).toBe('expired');
    const entry = (await store.listJournal(id)).find((e) => e.kind === 'ask');
    expect(entry).toMatchObject({ status: 'failed', error: { code: 'INPUT_TIMEOUT' } });
    expect((await store.answerAsk(token, { user_name: { action: 'cancel' } }))?.kind).toBe('closed');
    expect(await store.expireAsks()).toEqual([]);
  });

  it('a cancelled call takes no answer; prune removes asks with their calls', async () => {
    const { store } = harness();
    const { id, token } = await suspended(store);
    expect((await store.cancel(id, 'client gave up'))?.status).toBe('cancelled');
    expect(await store.getOpenAsk(id)).toBeNull();
    expect((await store.answerAsk(token, { user_name: { action: 'decline' } }))?.kind).toBe('closed');
    expect((await store.getCall(id))?.status).toBe('cancelled');
    const pruned = await store.prune({ settledBefore: Date.now() + 60_000 });
    expect(pruned.calls).toBe(1);
    expect(await store.getAsk(token)).toBeNull();
  });

  it('a peer store (another gateway) resumes the call from the token alone', async () => {
    const { store, openPeer } = harness();
    const { id, token } = await suspended(store);
    const peer = await openPeer();
    expect((await peer.getAsk(token))?.callId).toBe(id);
    expect(
      (await peer.answerAsk(token, { user_name: { action: 'accept', content: { name: 'Bo' } } }))?.kind,
    ).toBe('answered');
    expect((await store.getCall(id))?.status).toBe('queued');
  });
}
