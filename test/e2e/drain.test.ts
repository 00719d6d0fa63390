import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import {
  eventually,
  FAST_RECOVERY_ENV,
  repoRoot,
  startSwitchyard,
  type ServeProcess,
} from '../helpers/serve-process.js';
import {
  callInBackground,
  envelopeOf,
  mcpClient,
  startEffectServer,
  waitInsideStep,
  waitTerminal,
  writeLocalConnectionConfig,
  type Envelope,
} from './reliability-helpers.js';

const httpRecipes = path.join(repoRoot, 'test', 'fixtures', 'recipes-http');

/** SIGTERM, then the exit code and signal (bounded: SIGKILL after 30 s, which fails the test). */
async function terminate(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const outcome = await exited;
  clearTimeout(timer);
  return outcome;
}

// SIGTERM on `switchyard serve`: stop claiming, let in-flight calls finish within `limits.drain`, then
// release the rest back to `queued` and exit 0. Released calls are not lost: the next serve runs them.
describe('SIGTERM drain with real processes', () => {
  const servers: ServeProcess[] = [];
  let store: Store | null = null;
  let dataDir: string | null = null;
  let downstream: Awaited<ReturnType<typeof startEffectServer>> | null = null;
  afterEach(async () => {
    await store?.close();
    for (const server of servers.splice(0)) await server.stop();
    await downstream?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    store = null;
    dataDir = null;
    downstream = null;
  });

  async function serve(
    env: Record<string, string>,
    extra: { args?: string[]; recipes?: string } = {},
  ): Promise<ServeProcess> {
    dataDir ??= mkdtempSync(path.join(os.tmpdir(), 'switchyard-drain-'));
    const server = await startSwitchyard({
      args: ['--workers', '1', ...(extra.args ?? [])],
      env,
      dataDir,
      recipes: extra.recipes,
    });
    servers.push(server);
    store ??= createSqliteStore({ path: path.join(dataDir, 'switchyard.db') });
    return server;
  }

  it('a call longer than the drain is released to queued (attempt `released`), and a restarted serve completes it', async () => {
    // The call waits on a downstream that holds its GET until the test lets go: it outlasts any drain.
    downstream = await startEffectServer();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-drain-'));
    const extra = {
      args: ['--config', writeLocalConnectionConfig(dataDir, downstream.port)],
      recipes: httpRecipes,
    };
    const env = { ...FAST_RECOVERY_ENV, SWITCHYARD_LIMITS_DRAIN: '300ms' };
    const first = await serve(env, extra);
    const key = 'drain-long-1';
    const args = { message: 'outlasts', gate: 'held' };
    const client = await mcpClient(`${first.url}/mcp`, { 'Idempotency-Key': key });
    const pending = callInBackground(client, 'gated_echo', args);
    await eventually(async () => downstream!.requests.length === 1);
    const running = await waitInsideStep(store!, 'gated_echo', 'gate');

    expect(await terminate(first.child)).toEqual({ code: 0, signal: null });
    // The waiting client is answered before the gateway closes: retry-safe CALL_IN_PROGRESS, with its call id.
    const { envelope } = await envelopeOf(pending);
    expect(envelope).toMatchObject({
      success: false,
      error_code: 'CALL_IN_PROGRESS',
      retry_safe: true,
      call_id: running.id,
    });
    await client.close().catch(() => undefined);

    const released = await store!.getCall(running.id);
    expect(released?.status).toBe('queued');
    expect(released?.crashCount).toBe(0);
    expect(released?.errorAttempts).toBe(0);
    expect(released?.leaseExpiresAt).toBeNull();
    const attempts = await store!.listAttempts(running.id);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'released']]);

    // Same data dir, new process: the call runs to completion; the client's retry with its key attaches.
    downstream.hold = () => false;
    const second = await serve(env, extra);
    const retry = await mcpClient(`${second.url}/mcp`, { 'Idempotency-Key': key });
    const result = await retry.callTool({ name: 'gated_echo', arguments: args });
    await retry.close();
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      success: true,
      call_id: running.id,
      data: { summary: 'outlasts / gate 200 / outlasts' },
    });
    const done = await waitTerminal(store!, running.id);
    expect(done.status).toBe('succeeded');
    expect((await store!.listAttempts(running.id)).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'released'],
      [2, 'succeeded'],
    ]);
    const journal = await store!.listJournal(running.id);
    // `first` finished before the drain and was reused; `gate` (effect none) was interrupted and ran again.
    expect(journal.filter((e) => e.stepPath === 'first').map((e) => [e.attempt, e.status])).toEqual([
      [1, 'succeeded'],
    ]);
    expect(journal.filter((e) => e.stepPath === 'gate').map((e) => [e.attempt, e.status])).toEqual([
      [1, 'started'],
      [2, 'succeeded'],
    ]);
    expect(downstream.requests.map((r) => r.url)).toEqual(['/gate/held', '/gate/held']);
    expect(await store!.listCalls({ tool: 'gated_echo' })).toHaveLength(1);
  });

  it('a call shorter than the drain completes before the process exits, and its client gets the result', async () => {
    const server = await serve({ ...FAST_RECOVERY_ENV, SWITCHYARD_LIMITS_DRAIN: '20s' });
    const client = await mcpClient(`${server.url}/mcp`);
    const pending = callInBackground(client, 'echo_sleep_echo', { message: 'finishes', sleep_ms: 1500 });
    const running = await waitInsideStep(store!, 'echo_sleep_echo', 'nap');

    const exit = terminate(server.child);
    const { envelope, isError } = await envelopeOf(pending);
    expect(isError).toBe(false);
    expect(envelope).toMatchObject({
      success: true,
      call_id: running.id,
      data: { summary: 'finishes / slept 1500 ms / finishes' },
    } satisfies Partial<Envelope>);
    expect(await exit).toEqual({ code: 0, signal: null });
    await client.close().catch(() => undefined);

    const call = await store!.getCall(running.id);
    expect(call?.status).toBe('succeeded');
    expect((await store!.listAttempts(running.id)).map((a) => a.outcome)).toEqual(['succeeded']);
  });

  it('an unsafe POST cut short by the drain is never re-sent: after the restart the call ends outcome_unknown', async () => {
    downstream = await startEffectServer();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-drain-'));
    const config = writeLocalConnectionConfig(dataDir, downstream.port);
    const extra = { args: ['--config', config], recipes: httpRecipes };
    const env = { ...FAST_RECOVERY_ENV, SWITCHYARD_LIMITS_DRAIN: '300ms' };
    const first = await serve(env, extra);
    const client = await mcpClient(`${first.url}/mcp`);
    const pending = callInBackground(client, 'post_effect', { order: 'E-1' });
    await eventually(async () => downstream!.requests.length === 1);
    const running = await waitInsideStep(store!, 'post_effect', 'sent');

    expect(await terminate(first.child)).toEqual({ code: 0, signal: null });
    expect((await envelopeOf(pending)).envelope).toMatchObject({
      error_code: 'CALL_IN_PROGRESS',
      call_id: running.id,
    });
    await client.close().catch(() => undefined);
    expect((await store!.getCall(running.id))?.status).toBe('queued');

    // The downstream now answers at once, so a re-sent POST would complete the call: it must not be sent.
    downstream.hold = () => false;
    await serve(env, extra);
    const call = await waitTerminal(store!, running.id);
    expect(call.status).toBe('outcome_unknown');
    expect(call.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', retrySafe: false });
    expect(downstream.requests).toHaveLength(1);
    expect((await store!.listAttempts(running.id)).map((a) => a.outcome)).toEqual([
      'released',
      'outcome_unknown',
    ]);
  });
});
