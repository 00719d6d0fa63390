import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import {
  eventually,
  FAST_RECOVERY_ENV,
  WORKER_PROCESSES_ONLY_ENV,
  startSwitchyard,
  type ServeProcess,
} from '../helpers/serve-process.js';

// A real `switchyard serve` with two worker processes; one is killed with SIGKILL in the middle of a call.
describe('crash recovery with real processes', () => {
  let server: ServeProcess | null = null;
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    await server?.stop();
    server = null;
    store = null;
  });

  it('kill -9 of the worker during the sleep: the call completes on another worker and `first` ran once', async () => {
    server = await startSwitchyard({
      args: ['--workers', '2'],
      env: { ...FAST_RECOVERY_ENV, ...WORKER_PROCESSES_ONLY_ENV },
    });
    store = createSqliteStore({ path: path.join(server.dataDir, 'switchyard.db') });

    const client = new Client(
      { name: 'crash-test', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    const pending = client.callTool({
      name: 'echo_sleep_echo',
      arguments: { message: 'survive', sleep_ms: 2500 },
    });

    // Wait until a worker is inside `nap`, then kill that worker's process.
    const running = await eventually(async () => {
      const [call] = await store!.listCalls({ status: 'running', limit: 1 });
      if (!call) return null;
      const journal = await store!.listJournal(call.id);
      return journal.some((e) => e.stepPath === 'nap' && e.status === 'started') ? call : null;
    });
    const pid = Number(/^w(\d+)_/.exec(running.workerId ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');

    const result = await pending;
    expect(result.isError).toBeFalsy();
    const envelope = result.structuredContent as {
      success: boolean;
      data: { summary: string };
      call_id: string;
    };
    expect(envelope.success).toBe(true);
    expect(envelope.data.summary).toBe('survive / slept 2500 ms / survive');
    expect(envelope.call_id).toBe(running.id);

    const call = await store.getCall(running.id);
    expect(call?.status).toBe('succeeded');
    expect(call?.crashCount).toBe(1);
    const journal = await store.listJournal(running.id);
    const byStep = (step: string) => journal.filter((e) => e.stepPath === step);
    // `first` finished before the crash: it ran exactly once and was reused, not repeated.
    expect(byStep('first').map((e) => [e.attempt, e.status])).toEqual([[1, 'succeeded']]);
    // `nap` was interrupted (left `started` by the dead worker) and ran again on the next attempt.
    expect(byStep('nap').map((e) => [e.attempt, e.status])).toEqual([
      [1, 'started'],
      [2, 'succeeded'],
    ]);
    expect(byStep('second').map((e) => [e.attempt, e.status])).toEqual([[2, 'succeeded']]);
    const attempts = await store.listAttempts(running.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['crashed', 'succeeded']);
    expect(attempts[0]?.workerId).not.toBe(attempts[1]?.workerId);
    await client.close();
  });
});
