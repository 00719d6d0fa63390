import type { Client } from '@modelcontextprotocol/client';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import {
  eventually,
  FAST_RECOVERY_ENV,
  WORKER_PROCESSES_ONLY_ENV,
  repoRoot,
  startSwitchyard,
  type ServeProcess,
} from '../helpers/serve-process.js';
import {
  callInBackground,
  envelopeOf,
  killLeaseHolder,
  mcpClient,
  startEffectServer,
  waitInsideStep,
  waitTerminal,
  writeLocalConnectionConfig,
} from './reliability-helpers.js';

const httpRecipes = path.join(repoRoot, 'test', 'fixtures', 'recipes-http');

// A real `switchyard serve` (two worker processes) posts to a downstream on 127.0.0.1 that holds the
// request open; the worker inside the POST is killed with SIGKILL. Whether the POST may be sent again
// depends on the step's effect: unsafe (no key) → outcome_unknown, keyed → re-sent with the same key.
describe('a worker killed inside an HTTP POST', () => {
  let server: ServeProcess | null = null;
  let store: Store | null = null;
  let client: Client | null = null;
  let downstream: Awaited<ReturnType<typeof startEffectServer>> | null = null;
  let configDir: string | null = null;

  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await store?.close();
    await server?.stop();
    await downstream?.close();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    server = null;
    store = null;
    client = null;
    downstream = null;
    configDir = null;
  });

  /** Serves the http fixtures with a switchyard.yaml whose `local` connection points at the downstream. */
  async function serveWithDownstream(): Promise<{ server: ServeProcess; store: Store; client: Client }> {
    downstream = await startEffectServer();
    configDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-'));
    const configFile = writeLocalConnectionConfig(configDir, downstream.port);
    server = await startSwitchyard({
      recipes: httpRecipes,
      args: ['--workers', '2', '--config', configFile],
      env: { ...FAST_RECOVERY_ENV, ...WORKER_PROCESSES_ONLY_ENV },
    });
    store = createSqliteStore({ path: path.join(server.dataDir, 'switchyard.db') });
    client = await mcpClient(`${server.url}/mcp`);
    return { server, store, client };
  }

  it('unsafe POST (no idempotency key): the call ends outcome_unknown and the POST is never sent again', async () => {
    const { server, store, client } = await serveWithDownstream();
    const pending = callInBackground(client, 'post_effect', { order: 'A-1' });

    // The downstream has the request and holds it; the worker that sent it is inside the step.
    await eventually(async () => downstream!.requests.length === 1);
    const running = await waitInsideStep(store, 'post_effect', 'sent');
    // From now on the downstream would answer at once: a second POST would complete the call.
    downstream!.hold = () => false;
    killLeaseHolder(server, running);

    const { envelope, isError } = await envelopeOf(pending);
    expect(isError).toBe(true);
    expect(envelope).toMatchObject({
      success: false,
      error_code: 'OUTCOME_UNKNOWN',
      retry_safe: false,
      call_id: running.id,
    });
    expect(envelope.error_message).toContain('sent');

    const call = await waitTerminal(store, running.id);
    expect(call.status).toBe('outcome_unknown');
    expect(call.error).toMatchObject({ code: 'OUTCOME_UNKNOWN', retrySafe: false });
    expect(call.crashCount).toBe(1);
    // The POST reached the downstream exactly once.
    expect(downstream!.requests.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ['POST', '/effects', { order: 'A-1' }],
    ]);
    expect(downstream!.requests[0]?.headers['idempotency-key']).toBeUndefined();
    const journal = await store.listJournal(running.id);
    expect(journal.filter((e) => e.stepPath === 'sent').map((e) => [e.attempt, e.effect, e.status])).toEqual([
      [1, 'unsafe', 'started'],
    ]);
    const attempts = await store.listAttempts(running.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['crashed', 'outcome_unknown']);
    expect(attempts[1]?.error).toMatchObject({ code: 'OUTCOME_UNKNOWN' });
  });

  it('keyed POST (idempotency_key: true): re-sent once with the same Idempotency-Key, and the call succeeds', async () => {
    const { server, store, client } = await serveWithDownstream();
    const pending = callInBackground(client, 'post_effect_keyed', { order: 'B-2' });

    await eventually(async () => downstream!.requests.length === 1);
    const running = await waitInsideStep(store, 'post_effect_keyed', 'sent');
    downstream!.hold = () => false;
    killLeaseHolder(server, running);

    const { envelope, isError } = await envelopeOf(pending);
    expect(isError).toBe(false);
    expect(envelope).toMatchObject({
      success: true,
      call_id: running.id,
      data: { status: 200, body: { accepted: 2 } },
    });

    const call = await waitTerminal(store, running.id);
    expect(call.status).toBe('succeeded');
    expect(call.crashCount).toBe(1);
    const requests = downstream!.requests;
    expect(requests.map((r) => [r.method, r.url, JSON.parse(r.body)])).toEqual([
      ['POST', '/effects', { order: 'B-2' }],
      ['POST', '/effects', { order: 'B-2' }],
    ]);
    // Both tries carry the same key, derived from the call id and the step: the downstream can dedupe.
    const keys = requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBe(`${running.id}:sent`);
    expect(keys[1]).toBe(keys[0]);
    const journal = await store.listJournal(running.id);
    expect(journal.filter((e) => e.stepPath === 'sent').map((e) => [e.attempt, e.effect, e.status])).toEqual([
      [1, 'keyed', 'started'],
      [2, 'keyed', 'succeeded'],
    ]);
    const attempts = await store.listAttempts(running.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['crashed', 'succeeded']);
  });
});
