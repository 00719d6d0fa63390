import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerHarness } from '../helpers/worker-harness.js';
import { eventually, fixtureRecipes } from '../helpers/serve-process.js';

type Harness = Awaited<ReturnType<typeof createWorkerHarness>>;

describe('fencing: a worker whose lease expired cannot settle the call', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('a stalled lease holder is fenced off; the call completes once, on the worker that reclaimed it', async () => {
    h = await createWorkerHarness(fixtureRecipes);
    // Worker A never heartbeats (as if its event loop were stalled) and its lease is short.
    await h.startWorker('A', { leaseMs: 300, heartbeatMs: 60_000, sweepMs: 60_000, concurrency: 1 });
    const call = await h.enqueue('echo_sleep_echo', { message: 'fenced', sleep_ms: 1200 });
    const held = await eventually(async () => {
      const c = await h!.store.getCall(call.id);
      return c?.status === 'running' && c.workerId?.startsWith('A_') ? c : null;
    });
    const staleToken = held.leaseToken;

    // Worker B sweeps expired leases, reclaims the call and runs it with a new fencing token.
    await h.startWorker('B', { leaseMs: 5000, heartbeatMs: 100, sweepMs: 50 });
    const done = await eventually(async () => {
      const c = await h!.store.getCall(call.id);
      return c?.status === 'succeeded' ? c : null;
    });
    expect(done.workerId?.startsWith('B_')).toBe(true);
    expect(done.leaseToken).toBeGreaterThan(staleToken);

    // A wakes up from its nap and tries to write: every write with its stale token is rejected.
    await eventually(async () => {
      const journal = await h!.store.listJournal(call.id);
      return journal.filter((e) => e.stepPath === 'nap').length === 2 ? journal : null;
    });
    await new Promise((r) => setTimeout(r, 1500)); // let A's nap end and its writes be refused
    expect(await h.store.settle(call.id, staleToken, { status: 'succeeded', data: { forged: true } })).toBe(
      false,
    );
    expect(await h.store.heartbeat(call.id, staleToken, 1000)).toMatchObject({ ok: false });

    const final = await h.store.getCall(call.id);
    expect(final?.result).toMatchObject({ summary: 'fenced / slept 1200 ms / fenced' });
    const journal = await h.store.listJournal(call.id);
    // A's `nap` entry stayed `started`: its finish was refused; only B's attempt wrote `second`.
    expect(
      journal.filter((e) => e.stepPath === 'nap').map((e) => [e.workerId.slice(0, 1), e.status]),
    ).toEqual([
      ['A', 'started'],
      ['B', 'succeeded'],
    ]);
    expect(journal.filter((e) => e.stepPath === 'second').map((e) => e.workerId.slice(0, 1))).toEqual(['B']);
    const attempts = await h.store.listAttempts(call.id);
    expect(attempts.map((a) => [a.workerId.slice(0, 1), a.outcome])).toEqual([
      ['A', 'crashed'],
      ['B', 'succeeded'],
    ]);
  });
});
