import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerHarness } from '../helpers/worker-harness.js';
import { eventually, repoRoot } from '../helpers/serve-process.js';

const recipes = path.join(repoRoot, 'test', 'fixtures', 'recipes');

describe('crash isolation in the worker', () => {
  let harness: Awaited<ReturnType<typeof createWorkerHarness>> | undefined;
  afterEach(async () => harness?.close());

  it('runs a call at its crash limit alone: nothing else is claimed or adopted until it ends', async () => {
    harness = await createWorkerHarness(recipes);
    const h = harness;
    // A call whose worker died once (a lease that ran out), with max_crashes 1: it must run alone.
    const suspect = await h.enqueue('echo_sleep_echo', { message: 'suspect', sleep_ms: 400 });
    expect(await h.store.claim({ workerId: 'died', limit: 1, leaseMs: 1 })).toHaveLength(1);
    await eventually(async () => (await h.store.reclaimExpired({ maxCrashes: 1 })).length > 0);
    expect(await h.store.getCall(suspect.id)).toMatchObject({ status: 'queued', crashCount: 1 });
    const others = [];
    for (let i = 0; i < 3; i++)
      others.push(await h.enqueue('echo_sleep_echo', { message: `other ${i}`, sleep_ms: 0 }));

    const worker = await h.startWorker('isolating', { concurrency: 8, maxCrashes: 1 });
    await eventually(async () => (await h.store.getCall(suspect.id))?.status === 'running');
    expect(worker.room).toBe(0);
    // A call handed over meanwhile goes back to the queue.
    const handed = await h.enqueue(
      'echo_sleep_echo',
      { message: 'handed', sleep_ms: 0 },
      { claimFor: worker },
    );
    worker.adopt({ call: handed, token: handed.leaseToken });
    await eventually(async () => (await h.store.getCall(handed.id))?.status !== 'running');

    await eventually(async () => (await h.store.getCall(suspect.id))?.status === 'succeeded');
    for (const call of [...others, handed])
      await eventually(async () => (await h.store.getCall(call.id))?.status === 'succeeded');
    const [alone] = (await h.store.listAttempts(suspect.id)).filter((a) => a.outcome === 'succeeded');
    for (const call of [...others, handed]) {
      const ran = (await h.store.listAttempts(call.id)).filter((a) => a.outcome === 'succeeded');
      expect(ran[0]!.startedAt).toBeGreaterThanOrEqual(alone!.endedAt!);
    }
  });
});
