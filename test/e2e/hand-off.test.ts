import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AttemptRecord, Store } from '../../src/store/store.js';
import { startSwitchyard, WORKER_PROCESSES_ONLY_ENV, type ServeProcess } from '../helpers/serve-process.js';
import { callInBackground, envelopeOf, mcpClient, workerPids } from './reliability-helpers.js';

// `serve` hands new calls to worker processes with room, over IPC, already claimed. With two worker
// processes of one call each, a burst of calls must all complete, none lost or run twice, and no
// worker may ever run two at once: calls beyond the room wait in the queue and are claimed later.
describe('hand-off from the gateway to worker processes', () => {
  let server: ServeProcess;
  let store: Store;
  beforeAll(async () => {
    server = await startSwitchyard({
      args: ['--workers', '2'],
      env: { SWITCHYARD_WORKERS_CONCURRENCY: '1', ...WORKER_PROCESSES_ONLY_ENV },
    });
    store = createSqliteStore({ path: path.join(server.dataDir, 'switchyard.db') });
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it('a burst larger than the workers’ room: every call completes once, no worker over its room', async () => {
    const client = await mcpClient(`${server.url}/mcp`);
    const pending = Array.from({ length: 6 }, (_, i) =>
      callInBackground(client, 'echo_sleep_echo', { message: `m${i}`, sleep_ms: 150 }),
    );
    const results = await Promise.all(pending.map(envelopeOf));
    for (const [i, { envelope, isError }] of results.entries()) {
      expect(isError).toBe(false);
      expect(envelope.data).toMatchObject({ summary: `m${i} / slept 150 ms / m${i}` });
    }
    const attempts: AttemptRecord[] = [];
    for (const { envelope } of results) {
      const call = await store.getCall(envelope.call_id!);
      expect(call).toMatchObject({ status: 'succeeded', crashCount: 0 });
      const journal = await store.listJournal(envelope.call_id!);
      expect(journal.filter((e) => e.stepPath === 'first' && e.status === 'succeeded')).toHaveLength(1);
      attempts.push(...(await store.listAttempts(envelope.call_id!)));
    }
    // Only worker processes ran calls, and each ran one at a time.
    const pids = workerPids(server);
    const ran = attempts.filter((a) => a.outcome === 'succeeded');
    expect(ran).toHaveLength(6);
    for (const a of ran) expect(pids).toContain(Number(/^w(\d+)_/.exec(a.workerId)?.[1]));
    const byWorker = new Map<string, AttemptRecord[]>();
    for (const a of ran) byWorker.set(a.workerId, [...(byWorker.get(a.workerId) ?? []), a]);
    for (const runs of byWorker.values()) {
      const sorted = runs.sort((a, b) => a.startedAt - b.startedAt);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i]!.startedAt).toBeGreaterThanOrEqual(sorted[i - 1]!.endedAt!);
    }
    await client.close();
  });
});
