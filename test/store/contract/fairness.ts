import { expect, it } from 'vitest';
import type { Release, Store } from '../../../src/store/store.js';
import type { StoreHarness } from '../store-contract.js';
import { callInput, claimOne, deploy, enqueueNew, LEASE_MS, WORKSPACE } from './fixtures.js';

const TOOLS = { flood: 'tool: flood', quiet: 'tool: quiet', third: 'tool: third', limited: 'tool: limited' };

async function enqueueMany(
  store: Store,
  release: Release,
  tool: string,
  count: number,
  concurrencyLimit: number | null = null,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(await enqueueNew(store, release, { tool, args: { tool, i }, concurrencyLimit }));
  return ids;
}

async function claimIds(store: Store, limit: number, workerId = 'w'): Promise<string[]> {
  return (await store.claim({ workerId, limit, leaseMs: LEASE_MS })).map((c) => c.call.id);
}

export function fairnessContract(harness: () => StoreHarness): void {
  it('takes turns across tools: a flood on one tool does not starve another', async () => {
    const { store } = harness();
    const release = await deploy(store, WORKSPACE, TOOLS);
    const flood = await enqueueMany(store, release, 'flood', 30);
    const quiet = await enqueueMany(store, release, 'quiet', 2);
    expect(await claimIds(store, 4)).toEqual([flood[0], quiet[0], flood[1], quiet[1]]);
    // With the quiet lane empty, the flood's calls follow in their order.
    expect(await claimIds(store, 3)).toEqual(flood.slice(2, 5));
  });

  it('serves the tool with fewer calls running first, claim after claim', async () => {
    const { store } = harness();
    const release = await deploy(store, WORKSPACE, TOOLS);
    const flood = await enqueueMany(store, release, 'flood', 10);
    expect(await claimIds(store, 4)).toEqual(flood.slice(0, 4));
    const quiet = await enqueueMany(store, release, 'quiet', 2);
    // One slot at a time, as workers free them: the quiet tool has nothing running, the flood has four.
    expect(await claimIds(store, 1)).toEqual([quiet[0]]);
    expect(await claimIds(store, 1)).toEqual([quiet[1]]);
    expect(await claimIds(store, 1)).toEqual([flood[4]]);
  });

  it('serves the workspace with fewer calls running first', async () => {
    const { store } = harness();
    const busy = await deploy(store, 'ws_busy', TOOLS);
    const small = await deploy(store, 'ws_small', TOOLS);
    const busyCalls = [
      ...(await enqueueMany(store, busy, 'flood', 4)),
      ...(await enqueueMany(store, busy, 'quiet', 4)),
    ];
    expect((await claimIds(store, 4)).sort()).toEqual(
      [busyCalls[0], busyCalls[1], busyCalls[4], busyCalls[5]].sort(),
    );
    const smallCalls = await enqueueMany(store, small, 'flood', 2);
    expect(await claimIds(store, 3)).toEqual([smallCalls[0], smallCalls[1], busyCalls[2]]);
  });

  it('takes turns across workspaces first, then across the tools of each workspace', async () => {
    const { store } = harness();
    const busy = await deploy(store, 'ws_busy', TOOLS);
    const small = await deploy(store, 'ws_small', TOOLS);
    const busyFlood = await enqueueMany(store, busy, 'flood', 3);
    const busyQuiet = await enqueueMany(store, busy, 'quiet', 3);
    const busyThird = await enqueueMany(store, busy, 'third', 3);
    const smallFlood = await enqueueMany(store, small, 'flood', 3);
    // Each workspace's first turn, then each one's second…; within ws_busy the three tools alternate.
    expect(await claimIds(store, 6)).toEqual([
      busyFlood[0],
      smallFlood[0],
      busyQuiet[0],
      smallFlood[1],
      busyThird[0],
      smallFlood[2],
    ]);
    expect(await claimIds(store, 6)).toEqual([
      busyFlood[1],
      busyQuiet[1],
      busyThird[1],
      busyFlood[2],
      busyQuiet[2],
      busyThird[2],
    ]);
  });

  it('keeps a tool within its concurrency limit; the others flow past it', async () => {
    const { store } = harness();
    const release = await deploy(store, WORKSPACE, TOOLS);
    const limited = await enqueueMany(store, release, 'limited', 5, 2);
    const flood = await enqueueMany(store, release, 'flood', 3);
    const first = await store.claim({ workerId: 'w', limit: 10, leaseMs: LEASE_MS });
    expect(first.map((c) => c.call.id).sort()).toEqual([...limited.slice(0, 2), ...flood].sort());
    expect(await claimIds(store, 10)).toEqual([]);

    // A settled call frees its slot for the next in line.
    const running = first.find((c) => c.call.id === limited[0]);
    expect(await store.settle(limited[0]!, running!.token, { status: 'succeeded', data: null })).toBe(true);
    expect(await claimIds(store, 10)).toEqual([limited[2]]);
    // A released one too: it goes back to the head of its lane.
    const second = first.find((c) => c.call.id === limited[1]);
    expect(await store.release(limited[1]!, second!.token)).toBe(true);
    expect(await claimIds(store, 10)).toEqual([limited[1]]);
    expect(await claimIds(store, 10)).toEqual([]);
  });

  it('holds the limit across concurrent claimers', async () => {
    const { store, openPeer } = harness();
    const peer = await openPeer();
    const release = await deploy(store, WORKSPACE, TOOLS);
    await enqueueMany(store, release, 'limited', 12, 3);
    const rounds = Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? store : peer).claim({ workerId: `w${i}`, limit: 2, leaseMs: LEASE_MS }),
    );
    const claimed = (await Promise.all(rounds)).flat();
    expect(claimed.length).toBeGreaterThan(0);
    expect(claimed.length).toBeLessThanOrEqual(3);
    expect(await store.countByStatus(WORKSPACE)).toMatchObject({ running: claimed.length });
  });

  it('never hands a limited call straight to a worker at enqueue', async () => {
    const { store } = harness();
    const release = await deploy(store, WORKSPACE, TOOLS);
    const outcome = await store.enqueue({
      ...callInput(release, { tool: 'limited', concurrencyLimit: 1 }),
      claimFor: { workerId: 'w', leaseMs: LEASE_MS },
    });
    expect(outcome).toMatchObject({ kind: 'created', token: null, call: { status: 'queued' } });
    const { call } = await claimOne(store);
    expect(call.id).toBe(outcome.kind === 'created' ? outcome.call.id : null);
  });
}
