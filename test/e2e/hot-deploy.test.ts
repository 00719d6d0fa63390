import type { Client } from '@modelcontextprotocol/client';
import { copyFileSync, cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import {
  eventually,
  FAST_RECOVERY_ENV,
  repoRoot,
  runCli,
  startSwitchyard,
  type ServeProcess,
} from '../helpers/serve-process.js';
import {
  callInBackground,
  envelopeOf,
  mcpClient,
  startEffectServer,
  waitInsideStep,
  writeLocalConnectionConfig,
  type Envelope,
} from './reliability-helpers.js';

const deployFixtures = path.join(repoRoot, 'test', 'fixtures', 'recipes-deploy');
const v1 = path.join(deployFixtures, 'v1');
const v2 = path.join(deployFixtures, 'v2');

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name).sort();
}

async function callData(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  const envelope = result.structuredContent as Envelope;
  expect(envelope).toMatchObject({ success: true });
  return { data: envelope.data, callId: envelope.call_id! };
}

// Hot deploys on a running `switchyard serve`: a call in flight stays on the release it was enqueued on,
// new calls and tools/list follow the new release at once (no restart), and a rollback brings the old
// tools back. `versioned` waits on a downstream that holds `/gate/held`, so the in-flight call spans
// the deploy by construction, not by timing.
describe('hot deploy with pinned releases (real processes)', () => {
  let server: ServeProcess | null = null;
  let store: Store | null = null;
  let client: Client | null = null;
  let downstream: Awaited<ReturnType<typeof startEffectServer>> | null = null;
  const tmpDirs: string[] = [];

  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await store?.close();
    await server?.stop();
    await downstream?.close();
    for (const dir of tmpDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    server = null;
    store = null;
    client = null;
    downstream = null;
  });

  function tmpDir(prefix: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    tmpDirs.push(dir);
    return dir;
  }

  async function serve(recipes: string) {
    downstream = await startEffectServer();
    downstream.hold = (r) => r.url === '/gate/held';
    const config = writeLocalConnectionConfig(tmpDir('switchyard-config-'), downstream.port);
    server = await startSwitchyard({
      recipes,
      args: ['--workers', '2', '--config', config],
      env: FAST_RECOVERY_ENV,
    });
    store = createSqliteStore({ path: path.join(server.dataDir, 'switchyard.db') });
    client = await mcpClient(`${server.url}/mcp`);
    return { server, store, client };
  }

  /** Starts `versioned` on the held gate and waits until the request is held downstream. */
  async function startHeldCall(store: Store, client: Client) {
    const pending = callInBackground(client, 'versioned', { gate: 'held' });
    await eventually(async () => downstream!.requests.some((r) => r.url === '/gate/held'));
    const running = await waitInsideStep(store, 'versioned', 'waited');
    return { pending, running };
  }

  it('`switchyard deploy` while a call is in flight: it finishes on release 1, new calls and tools/list use release 2; `recipes rollback` restores release 1', async () => {
    const { server, store, client } = await serve(v1);
    expect(await toolNames(client)).toEqual(['retiring', 'versioned']);
    const release1 = await store.getActiveReleaseId('default');
    const { pending, running } = await startHeldCall(store, client);
    expect(running.releaseId).toBe(release1);

    const deployed = await runCli(['deploy', v2, '--data-dir', server.dataDir]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const release2 = await store.getActiveReleaseId('default');
    expect(release2).not.toBe(release1);

    // No restart: the very next requests see release 2. The file missing from v2 withdrew its tool.
    expect(await toolNames(client)).toEqual(['versioned']);
    await expect(client.callTool({ name: 'retiring', arguments: { message: 'x' } })).rejects.toMatchObject({
      code: -32602,
    });
    const fresh = await callData(client, 'versioned', { gate: 'open' });
    expect(fresh.data).toMatchObject({ version: 2 });
    expect((await store.getCall(fresh.callId))?.releaseId).toBe(release2);

    // The call enqueued before the deploy is still in flight, and completes with release 1's output.
    expect((await store.getCall(running.id))?.status).toBe('running');
    downstream!.releaseHeld();
    const { envelope } = await envelopeOf(pending);
    expect(envelope).toMatchObject({ success: true, call_id: running.id, data: { version: 1 } });
    expect((await store.getCall(running.id))?.releaseId).toBe(release1);

    // Rollback (the CLI, on the same data dir): the old tools are back, at once.
    const rolledBack = await runCli(['recipes', 'rollback', release1!, '--data-dir', server.dataDir]);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(await store.getActiveReleaseId('default')).toBe(release1);
    expect(await toolNames(client)).toEqual(['retiring', 'versioned']);
    expect((await callData(client, 'versioned', { gate: 'open' })).data).toMatchObject({ version: 1 });
    expect((await callData(client, 'retiring', { message: 'back' })).data).toEqual({ message: 'back' });
  });

  it('`serve --recipes DIR` redeploys when the folder changes: edited and removed files take effect without a restart; activateRelease rolls back', async () => {
    const dir = tmpDir('switchyard-recipes-');
    cpSync(v1, dir, { recursive: true });
    const { store, client } = await serve(dir);
    expect(await toolNames(client)).toEqual(['retiring', 'versioned']);
    const release1 = await store.getActiveReleaseId('default');
    const { pending, running } = await startHeldCall(store, client);

    // Change the watched folder: versioned.yaml becomes release 2's (atomic rename), then retiring.yaml goes.
    const staged = path.join(tmpDir('switchyard-staged-'), 'versioned.yaml');
    copyFileSync(path.join(v2, 'versioned.yaml'), staged);
    renameSync(staged, path.join(dir, 'versioned.yaml'));
    rmSync(path.join(dir, 'retiring.yaml'));

    // The redeploy is asynchronous (debounced file events): wait, bounded, for the final folder's tools.
    await eventually(async () => (await toolNames(client)).join() === 'versioned', 15_000);
    const release2 = await store.getActiveReleaseId('default');
    expect(release2).not.toBe(release1);
    expect((await store.getActiveRelease('default'))?.recipes.map((r) => r.tool)).toEqual(['versioned']);
    expect((await callData(client, 'versioned', { gate: 'open' })).data).toMatchObject({ version: 2 });

    expect((await store.getCall(running.id))?.status).toBe('running');
    downstream!.releaseHeld();
    const { envelope } = await envelopeOf(pending);
    expect(envelope).toMatchObject({ success: true, call_id: running.id, data: { version: 1 } });

    await store.activateRelease('default', release1!);
    expect(await toolNames(client)).toEqual(['retiring', 'versioned']);
    expect((await callData(client, 'versioned', { gate: 'open' })).data).toMatchObject({ version: 1 });
  });
});
