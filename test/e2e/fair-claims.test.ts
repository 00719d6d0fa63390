import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AttemptRecord, Store } from '../../src/store/store.js';
import {
  repoRoot,
  startSwitchyard,
  WORKER_PROCESSES_ONLY_ENV,
  type ServeProcess,
} from '../helpers/serve-process.js';
import { callInBackground, envelopeOf, mcpClient } from './reliability-helpers.js';

const recipes = path.join(repoRoot, 'test', 'fixtures', 'recipes-fairness');

/** The attempts of every call of `tool`, from the audit trail. */
async function attemptsOf(store: Store, tool: string): Promise<AttemptRecord[]> {
  const calls = await store.listCalls({ tool, limit: 1_000 });
  return (await Promise.all(calls.map((c) => store.listAttempts(c.id)))).flat();
}

/** The most attempts that were running at the same moment (an end at t comes before a start at t). */
function mostAtOnce(attempts: AttemptRecord[]): number {
  const events = attempts.flatMap((a) => [
    { at: a.startedAt, delta: 1 },
    { at: a.endedAt ?? Number.MAX_SAFE_INTEGER, delta: -1 },
  ]);
  events.sort((x, y) => x.at - y.at || x.delta - y.delta);
  let now = 0;
  let most = 0;
  for (const { delta } of events) most = Math.max(most, (now += delta));
  return most;
}

// A real `switchyard serve` with two worker processes of two slots each: four calls can run at once
// (none in the gateway's process: no eager execution, which would make a fifth slot).
describe('fair claims and concurrency limits, over MCP with real worker processes', () => {
  let server: ServeProcess;
  let store: Store;
  beforeAll(async () => {
    server = await startSwitchyard({
      recipes,
      args: ['--workers', '2'],
      env: { SWITCHYARD_WORKERS_CONCURRENCY: '2', ...WORKER_PROCESSES_ONLY_ENV },
    });
    store = createSqliteStore({ path: path.join(server.dataDir, 'switchyard.db') });
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it("never runs more of a tool's calls at once than its recipe's concurrency allows", async () => {
    const client = await mcpClient(`${server.url}/mcp`);
    const calls = Array.from({ length: 8 }, (_, n) =>
      callInBackground(client, 'nightly_export', { n, ms: 150 }),
    );
    for (const pending of calls) expect((await envelopeOf(pending)).envelope.success).toBe(true);
    await client.close();
    const attempts = await attemptsOf(store, 'nightly_export');
    expect(attempts).toHaveLength(8);
    // Four slots were free, two were used: the limit, not the pool, held the others back.
    expect(mostAtOnce(attempts)).toBe(2);
  });

  it('a flood on one tool does not starve another: the quiet call starts at the next free slot', async () => {
    const client = await mcpClient(`${server.url}/mcp`);
    const flood = Array.from({ length: 24 }, (_, n) => callInBackground(client, 'bulk_sync', { n, ms: 200 }));
    // Once the flood fills every slot and queues behind them, the quiet call arrives.
    await expect
      .poll(
        async () => {
          const counts = await store.countByStatus();
          return (counts.running ?? 0) === 4 && (counts.queued ?? 0) > 10;
        },
        { timeout: 20_000, interval: 10 },
      )
      .toBe(true);
    const quiet = await envelopeOf(callInBackground(client, 'lookup', { n: 1 }));
    expect(quiet.envelope.success).toBe(true);
    for (const pending of flood) expect((await envelopeOf(pending)).envelope.success).toBe(true);
    await client.close();

    const [lookup] = await attemptsOf(store, 'lookup');
    const startedFirst = (await attemptsOf(store, 'bulk_sync')).filter(
      (a) => a.startedAt < lookup!.startedAt,
    );
    // First-come-first-served would have started every queued flood call (more than ten) before it; taking
    // turns across tools lets at most the four running and the next slot's worth go first.
    const queuedWhenItArrived = 24 - 4;
    expect(startedFirst.length).toBeLessThan(queuedWhenItArrived);
    expect(startedFirst.length).toBeLessThanOrEqual(4 + 2);
  });
});
