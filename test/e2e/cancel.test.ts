import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import {
  eventually,
  FAST_RECOVERY_ENV,
  startSwitchyard,
  WORKER_PROCESSES_ONLY_ENV,
  type ServeProcess,
} from '../helpers/serve-process.js';
import {
  callInBackground,
  envelopeOf,
  mcpClient,
  pidOfWorker,
  waitInsideStep,
  waitTerminal,
} from './reliability-helpers.js';

// An operator cancels a running call (store.cancel, what `switchyard calls cancel` does). The waiting
// client is answered CANCELLED at once, the worker stops running the call, and the worker's later writes
// (journal, heartbeat, settlement) are refused: the call stays cancelled.
describe('cancelling a running call', () => {
  let t: TestPlatform | null = null;
  let server: ServeProcess | null = null;
  let store: Store | null = null;
  afterEach(async () => {
    await t?.stop();
    await store?.close();
    await server?.stop();
    t = null;
    server = null;
    store = null;
  });

  it('in-process: the client gets CANCELLED, the worker drops the call, its writes are refused, the call stays cancelled', async () => {
    t = await startTestPlatform();
    const { store, worker } = t.platform;
    const client = await mcpClient(t.mcpUrl);
    const pending = callInBackground(client, 'echo_sleep_echo', { message: 'doomed', sleep_ms: 600_000 });
    const running = await waitInsideStep(store, 'echo_sleep_echo', 'nap');
    expect(worker?.running).toBe(1);

    const cancelled = await store.cancel(running.id, 'cancelled by the operator');
    expect(cancelled?.status).toBe('cancelled');

    const { envelope, isError } = await envelopeOf(pending);
    await client.close();
    expect(isError).toBe(true);
    expect(envelope).toMatchObject({
      success: false,
      error_code: 'CANCELLED',
      error_message: 'cancelled by the operator',
      retry_safe: false,
      call_id: running.id,
    });

    // The worker notices at its next heartbeat and stops the 10-minute sleep (bounded wait, not a timing claim).
    await eventually(async () => worker?.running === 0, 15_000);
    const token = running.leaseToken;
    expect(await store.heartbeat(running.id, token, 30_000)).toEqual({ ok: false, status: 'cancelled' });
    expect(
      await store.startStep(running.id, token, {
        attempt: running.attempt,
        stepPath: 'second',
        kind: 'action',
        target: 'util.echo',
        effect: 'none',
        workerId: running.workerId!,
        request: null,
      }),
    ).toBeNull();
    expect(await store.settle(running.id, token, { status: 'succeeded', data: { late: true } })).toBe(false);

    const call = await store.getCall(running.id);
    expect(call?.status).toBe('cancelled');
    expect(call?.result).toBeNull();
    expect(call?.error).toMatchObject({ code: 'CANCELLED', retrySafe: false });
    const journal = await store.listJournal(running.id);
    expect(journal.map((e) => [e.stepPath, e.status])).toEqual([
      ['first', 'succeeded'],
      ['nap', 'started'],
    ]);
    const attempts = await store.listAttempts(running.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['cancelled']);
    // The refused settlement above is kept in the audit trail.
    expect(attempts[0]?.note ?? '').toMatch(/stale_completion/);

    // Cancelling again changes nothing; an operator requeue does not apply to a cancelled call.
    expect((await store.cancel(running.id, 'again'))?.error?.message).toBe('cancelled by the operator');
    expect((await store.requeue(running.id))?.status).toBe('cancelled');
  });

  // The call runs in the worker process, or (eager execution) in the gateway's own process.
  it.each([
    ['the worker process', WORKER_PROCESSES_ONLY_ENV, false],
    ["the gateway's eager worker", {}, true],
  ])(
    'real processes: a cancel from another process reaches the waiting client and %s',
    async (_where, env, inGateway) => {
      // One worker that runs one call at a time: the next call can only run once the worker has dropped
      // the cancelled one (whose sleep would last 10 minutes).
      server = await startSwitchyard({
        args: ['--workers', '1'],
        env: { ...FAST_RECOVERY_ENV, ...env, SWITCHYARD_WORKERS_CONCURRENCY: '1' },
      });
      store = createSqliteStore({ path: path.join(server.dataDir, 'switchyard.db') });
      const client = await mcpClient(`${server.url}/mcp`);
      const pending = callInBackground(client, 'echo_sleep_echo', { message: 'doomed', sleep_ms: 600_000 });
      const running = await waitInsideStep(store, 'echo_sleep_echo', 'nap');
      expect(pidOfWorker(running.workerId) === server.child.pid).toBe(inGateway);

      await store.cancel(running.id, 'stopped from the CLI');
      const { envelope } = await envelopeOf(pending);
      expect(envelope).toMatchObject({ success: false, error_code: 'CANCELLED', call_id: running.id });

      // The worker process is free again: a new call runs to completion on its only slot.
      const next = await client.callTool({
        name: 'echo_sleep_echo',
        arguments: { message: 'next', sleep_ms: 10 },
      });
      await client.close();
      expect(next.structuredContent).toMatchObject({ success: true });
      const call = await waitTerminal(store, running.id);
      expect(call.status).toBe('cancelled');
      expect((await store.listJournal(running.id)).some((e) => e.stepPath === 'second')).toBe(false);
      expect((await store.listAttempts(running.id)).map((a) => a.outcome)).toEqual(['cancelled']);
    },
  );
});
