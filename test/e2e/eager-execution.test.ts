import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import {
  eventually,
  FAST_RECOVERY_ENV,
  startSwitchyard,
  type ServeProcess,
} from '../helpers/serve-process.js';
import { callInBackground, envelopeOf, mcpClient, pidOfWorker, workerPids } from './reliability-helpers.js';

// `serve` runs a call in the gateway's own process while it serves one call at a time (eager execution,
// supervisor/eager-hand-off.ts) and hands calls to the worker processes under load. Either way the call
// is committed and leased before it runs: a gateway killed inside an eager call loses nothing.
describe('eager execution in the gateway process', () => {
  const servers: ServeProcess[] = [];
  let store: Store | null = null;
  let dataDir: string | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
    for (const server of servers.splice(0)) await server.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = null;
  });

  async function serve(env: Record<string, string> = {}): Promise<ServeProcess> {
    dataDir ??= mkdtempSync(path.join(os.tmpdir(), 'switchyard-eager-'));
    const server = await startSwitchyard({ args: ['--workers', '1'], env, dataDir });
    servers.push(server);
    store ??= createSqliteStore({ path: path.join(dataDir, 'switchyard.db') });
    return server;
  }

  async function runnerPids(callIds: string[]): Promise<number[]> {
    const pids: number[] = [];
    for (const id of callIds)
      for (const attempt of await store!.listAttempts(id)) pids.push(pidOfWorker(attempt.workerId));
    return pids;
  }

  it('an idle gateway runs the call itself; a burst goes to the worker process', async () => {
    const server = await serve();
    const client = await mcpClient(`${server.url}/mcp`);
    const alone = await envelopeOf(callInBackground(client, 'echo', { message: 'alone' }));
    expect(alone.envelope).toMatchObject({ success: true, data: { message: 'alone' } });
    expect(await runnerPids([alone.envelope.call_id!])).toEqual([server.child.pid]);

    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        envelopeOf(callInBackground(client, 'echo_sleep_echo', { message: `m${i}`, sleep_ms: 200 })),
      ),
    );
    for (const [i, { envelope }] of burst.entries())
      expect(envelope.data).toMatchObject({ summary: `m${i} / slept 200 ms / m${i}` });
    const pids = await runnerPids(burst.map((b) => b.envelope.call_id!));
    expect(pids).toHaveLength(12);
    // The burst's first call may find the gateway idle; every call beside it goes to the worker process.
    const inGateway = pids.filter((pid) => pid === server.child.pid);
    expect(inGateway.length).toBeLessThanOrEqual(1);
    const [workerPid] = workerPids(server);
    expect(pids.filter((pid) => pid === workerPid).length).toBeGreaterThanOrEqual(11);
    await client.close();
  });

  it('workers.eager: false sends every call to the worker processes', async () => {
    const server = await serve({ SWITCHYARD_WORKERS_EAGER: 'false' });
    const client = await mcpClient(`${server.url}/mcp`);
    const { envelope } = await envelopeOf(callInBackground(client, 'echo', { message: 'away' }));
    expect(envelope.success).toBe(true);
    expect(await runnerPids([envelope.call_id!])).toEqual(workerPids(server));
    await client.close();
  });

  it('kill -9 of the gateway inside an eager call: the next serve resumes it, the retry gets the result', async () => {
    const first = await serve(FAST_RECOVERY_ENV);
    const key = 'eager-crash-1';
    const args = { message: 'survive', sleep_ms: 1500 };
    const meta = { 'dev.switchyard/idempotency-key': key };
    const client = await mcpClient(`${first.url}/mcp`);
    const cut = client.callTool({ name: 'echo_sleep_echo', arguments: args, _meta: meta }).then(
      () => 'answered',
      () => 'cut',
    );
    const running = await eventually(async () => {
      const [call] = await store!.listCalls({ status: 'running', limit: 1 });
      if (!call) return null;
      const journal = await store!.listJournal(call.id);
      return journal.some((e) => e.stepPath === 'nap' && e.status === 'started') ? call : null;
    });
    expect(pidOfWorker(running.workerId)).toBe(first.child.pid);
    first.child.kill('SIGKILL');
    expect(await cut).toBe('cut');

    // A new `serve` on the same data dir: its worker reclaims the call when the dead lease expires.
    const second = await serve(FAST_RECOVERY_ENV);
    const retry = await mcpClient(`${second.url}/mcp`);
    const result = await retry.callTool({ name: 'echo_sleep_echo', arguments: args, _meta: meta });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      success: true,
      call_id: running.id,
      data: { summary: 'survive / slept 1500 ms / survive' },
    });

    const journal = await store!.listJournal(running.id);
    const byStep = (step: string) =>
      journal.filter((e) => e.stepPath === step).map((e) => [e.attempt, e.status]);
    // `first` finished before the kill: reused, not repeated.
    expect(byStep('first')).toEqual([[1, 'succeeded']]);
    expect(byStep('nap')).toEqual([
      [1, 'started'],
      [2, 'succeeded'],
    ]);
    const attempts = await store!.listAttempts(running.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['crashed', 'succeeded']);
    expect(pidOfWorker(attempts[1]!.workerId)).not.toBe(first.child.pid);
    expect(await store!.getCall(running.id)).toMatchObject({ status: 'succeeded', crashCount: 1 });
    await retry.close();
    await client.close().catch(() => undefined);
  });
});
