import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerHarness } from '../helpers/worker-harness.js';
import { eventually, repoRoot } from '../helpers/serve-process.js';

const recipes = path.join(repoRoot, 'test', 'fixtures', 'recipes');

describe('hand-off to a worker', () => {
  let harness: Awaited<ReturnType<typeof createWorkerHarness>> | undefined;
  afterEach(async () => harness?.close());

  it('runs a call handed over claimed; one that finds no room goes back to the queue and runs after', async () => {
    harness = await createWorkerHarness(recipes);
    const h = harness;
    const worker = await h.startWorker('solo', { concurrency: 1 });
    const first = await h.enqueue('echo_sleep_echo', { message: 'a', sleep_ms: 300 }, { claimFor: worker });
    const second = await h.enqueue('echo_sleep_echo', { message: 'b', sleep_ms: 0 }, { claimFor: worker });
    worker.adopt({ call: first, token: first.leaseToken });
    expect(worker.room).toBe(0);
    worker.adopt({ call: second, token: second.leaseToken });

    // The second went back to the queue at once, its attempt recorded as released.
    await eventually(async () => (await h.store.getCall(second.id))?.status === 'queued');
    expect(await h.store.listAttempts(second.id)).toMatchObject([{ attempt: 1, outcome: 'released' }]);

    // When the first ends, the worker claims the second itself.
    await eventually(async () => (await h.store.getCall(second.id))?.status === 'succeeded');
    expect(await h.store.getCall(first.id)).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(await h.store.getCall(second.id)).toMatchObject({ status: 'succeeded', attempt: 2 });
    // A step that ended within its turn is journaled whole, with the settlement.
    expect(await h.store.listJournal(second.id)).toMatchObject([
      { stepPath: 'first', status: 'succeeded', attempt: 2 },
      { stepPath: 'nap', status: 'succeeded', attempt: 2 },
      { stepPath: 'second', status: 'succeeded', attempt: 2 },
    ]);
  });

  it('shows a running effect-safe step as started while it runs', async () => {
    harness = await createWorkerHarness(recipes);
    const h = harness;
    const worker = await h.startWorker('shows');
    const call = await h.enqueue('echo_sleep_echo', { message: 'a', sleep_ms: 400 }, { claimFor: worker });
    worker.adopt({ call, token: call.leaseToken });
    const journal = await eventually(async () => {
      const entries = await h.store.listJournal(call.id);
      return entries.length === 2 ? entries : null;
    });
    expect(journal).toMatchObject([
      { stepPath: 'first', status: 'succeeded' },
      { stepPath: 'nap', status: 'started' },
    ]);
    await eventually(async () => (await h.store.getCall(call.id))?.status === 'succeeded');
  });
});
