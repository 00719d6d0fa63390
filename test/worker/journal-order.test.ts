import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { createWorkerHarness } from '../helpers/worker-harness.js';
import { eventually, fixtureRecipes } from '../helpers/serve-process.js';

type Harness = Awaited<ReturnType<typeof createWorkerHarness>>;

/** The worker's store, with each write-behind journal write taking `ms` longer to commit. */
const slowAppends =
  (ms: number) =>
  (store: Store): Store => ({
    ...store,
    appendJournal: async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return store.appendJournal(...args);
    },
  });

// A step still running when its turn ends has its start (and the entries before it) written on their
// own, without waiting. The attempt's later writes (the next start, the settlement) must come after
// that write: a settlement committed first ends the lease, and the earlier write is then refused.
describe('write-behind journal entries commit in the order of the attempt', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('a settlement waits for the journal write ahead of it, however slowly that one commits', async () => {
    h = await createWorkerHarness(fixtureRecipes);
    await h.startWorker('A', {}, slowAppends(150));
    const call = await h.enqueue('echo_sleep_echo', { message: 'ordered', sleep_ms: 5 });
    await eventually(async () => ((await h!.store.getCall(call.id))?.status === 'succeeded' ? true : null));
    await new Promise((resolve) => setTimeout(resolve, 300)); // any write still on its way has landed
    const journal = await h.store.listJournal(call.id);
    expect(journal.map((e) => [e.stepPath, e.status])).toEqual([
      ['first', 'succeeded'],
      ['nap', 'succeeded'],
      ['second', 'succeeded'],
    ]);
  });
});
