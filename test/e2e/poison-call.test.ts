import type { Client } from '@modelcontextprotocol/client';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import {
  FAST_RECOVERY_ENV,
  startSwitchyard,
  WORKER_PROCESSES_ONLY_ENV,
  type ServeProcess,
} from '../helpers/serve-process.js';
import {
  callInBackground,
  envelopeOf,
  killLeaseHolder,
  mcpClient,
  pidOfWorker,
  waitInsideStep,
  waitTerminal,
  type Envelope,
} from './reliability-helpers.js';

// A poison call: every worker process that runs it dies (the test SIGKILLs the lease holder each time
// the call is running). Past `limits.max_crashes` the call is dead-lettered instead of killing workers
// forever, and the rest of the queue keeps flowing meanwhile.
describe('poison call with real processes', () => {
  let server: ServeProcess | null = null;
  let store: Store | null = null;
  let client: Client | null = null;
  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await store?.close();
    await server?.stop();
    server = null;
    store = null;
    client = null;
  });

  it('dies with each worker that runs it: ends dead (DEAD_LETTERED, crash count in the message); other calls succeed', async () => {
    server = await startSwitchyard({
      args: ['--workers', '2'],
      env: { ...FAST_RECOVERY_ENV, ...WORKER_PROCESSES_ONLY_ENV, SWITCHYARD_LIMITS_MAX_CRASHES: '2' },
    });
    store = createSqliteStore({ path: path.join(server.dataDir, 'switchyard.db') });
    client = await mcpClient(`${server.url}/mcp`);
    const echo = async (message: string) => {
      const result = await client!.callTool({ name: 'echo', arguments: { message } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ success: true, data: { message } });
    };

    const pending = callInBackground(client, 'echo_sleep_echo', { message: 'poison', sleep_ms: 600_000 });
    const killed: { token: number; pid: number }[] = [];
    // max_crashes 2: the first two crashes requeue the call, the third dead-letters it.
    for (let round = 1; round <= 3; round++) {
      const lastToken = killed.at(-1)?.token ?? 0;
      const running = await waitInsideStep(store, 'echo_sleep_echo', 'nap', (c) => c.leaseToken > lastToken);
      expect(running.crashCount).toBe(round - 1);
      await echo(`before kill ${round}`);
      killed.push({ token: running.leaseToken, pid: killLeaseHolder(server, running) });
      await echo(`after kill ${round}`);
    }

    const { envelope, isError } = await envelopeOf(pending);
    expect(isError).toBe(true);
    expect(envelope).toMatchObject({ success: false, error_code: 'DEAD_LETTERED', retry_safe: false });
    expect(envelope.error_message).toMatch(/crashed 3 times/);
    const callId = envelope.call_id!;

    const call = await waitTerminal(store, callId);
    expect(call.status).toBe('dead');
    expect(call.crashCount).toBe(3);
    expect(call.error).toMatchObject({ code: 'DEAD_LETTERED', retrySafe: false });
    expect(call.error?.message).toMatch(/crashed 3 times \(limit 2\)/);
    // One attempt per crash, each on the worker that was killed; the last one carries the reason.
    const attempts = await store.listAttempts(callId);
    expect(attempts.map((a) => a.outcome)).toEqual(['crashed', 'crashed', 'crashed']);
    expect(attempts.map((a) => a.leaseToken)).toEqual(killed.map((k) => k.token));
    expect(attempts.map((a) => pidOfWorker(a.workerId))).toEqual(killed.map((k) => k.pid));
    expect(attempts.slice(0, 2).map((a) => a.error)).toEqual([null, null]);
    expect(attempts[2]?.error).toMatchObject({ code: 'DEAD_LETTERED' });
    // `first` ran once and was reused; each attempt died inside `nap`; `second` never ran.
    const journal = await store.listJournal(callId);
    expect(journal.filter((e) => e.stepPath === 'first').map((e) => [e.attempt, e.status])).toEqual([
      [1, 'succeeded'],
    ]);
    expect(journal.filter((e) => e.stepPath === 'nap').map((e) => [e.attempt, e.status])).toEqual([
      [1, 'started'],
      [2, 'started'],
      [3, 'started'],
    ]);
    expect(journal.some((e) => e.stepPath === 'second')).toBe(false);

    // The dead call stays dead, and the restarted pool still serves calls with steps.
    const after = await client.callTool({
      name: 'echo_sleep_echo',
      arguments: { message: 'healthy', sleep_ms: 10 },
    });
    expect((after.structuredContent as Envelope).data).toMatchObject({
      summary: 'healthy / slept 10 ms / healthy',
    });
    expect((await store.getCall(callId))?.status).toBe('dead');
    const echoes = await store.listCalls({ tool: 'echo', limit: 100 });
    expect(echoes).toHaveLength(6);
    expect(echoes.every((c) => c.status === 'succeeded')).toBe(true);
  });
});
