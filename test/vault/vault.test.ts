import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessToken, Connector } from '../../src/connectors/connector.js';
import { builtinConnectors, createConnectorRegistry } from '../../src/connectors/registry.js';
import { CallError } from '../../src/core/errors.js';
import { JsonSchemaValidator } from '../../src/core/json-schema.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { keyFilePath, loadKeyring, writeKeyFile } from '../../src/vault/keyring.js';
import { seal, unseal } from '../../src/vault/seal.js';
import { Vault } from '../../src/vault/vault.js';

const SECRET = 'super-secret-client-secret-value';

/** A connector with OAuth2-style secrets whose token endpoint is this counter (the refresh is the subject). */
function oauthConnector(refreshes: { count: number; delayMs: number }): Connector {
  return {
    name: 'oauthy',
    description: 'test connector with a token refresh',
    connectionSchema: {
      type: 'object',
      properties: { base_url: { type: 'string' } },
      required: ['base_url'],
    },
    secretFields: [
      { name: 'client_id', required: true, description: 'the client id' },
      { name: 'client_secret', required: true, description: 'the client secret' },
    ],
    async refreshToken(connection): Promise<AccessToken> {
      refreshes.count++;
      await new Promise((r) => setTimeout(r, refreshes.delayMs));
      expect(connection.secrets.client_secret).toBe(SECRET);
      return { token: `token-${refreshes.count}`, expiresAt: Date.now() + 3_600_000 };
    },
    actions: {},
  };
}

/** The database file and its WAL, as text: what someone who copied them would have. */
function databaseBytes(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.startsWith('switchyard.db'))
    .map((f) => readFileSync(path.join(dir, f)).toString('latin1'))
    .join('');
}

describe('vault', () => {
  let dir: string;
  let stores: Store[];
  const refreshes = { count: 0, delayMs: 50 };
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-vault-'));
    stores = [];
    refreshes.count = 0;
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function vault(owner = 'w1', declared = {}): Promise<{ vault: Vault; store: Store }> {
    const store = createSqliteStore({ path: path.join(dir, 'switchyard.db') });
    await store.migrate();
    stores.push(store);
    const connectors = createConnectorRegistry([...builtinConnectors(), oauthConnector(refreshes)]);
    return {
      store,
      vault: new Vault({
        store,
        keyring: loadKeyring({ dataDir: dir }),
        connectors,
        validator: new JsonSchemaValidator(),
        workspace: 'default',
        owner,
        declared,
      }),
    };
  }

  it('creates the master key file once, mode 0600, and every process reads the same key', () => {
    const a = loadKeyring({ dataDir: dir });
    const b = loadKeyring({ dataDir: dir });
    expect(a.current.id).toBe(b.current.id);
    expect(statSync(keyFilePath(dir)).mode & 0o777).toBe(0o600);
  });

  it('seals with AES-256-GCM bound to workspace and connection: moved or tampered values do not open', () => {
    const keyring = loadKeyring({ dataDir: dir });
    const binding = { workspace: 'default', connectionId: 'conn_a', purpose: 'secrets' as const };
    const sealed = seal(keyring, SECRET, binding);
    expect(sealed).not.toContain(SECRET);
    expect(unseal(keyring, sealed, binding)).toBe(SECRET);
    expect(() => unseal(keyring, sealed, { ...binding, connectionId: 'conn_b' })).toThrow(/does not open/);
    expect(() => unseal(keyring, sealed, { ...binding, workspace: 'other' })).toThrow(/does not open/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => unseal(keyring, parts.join('.'), binding)).toThrow(/does not open/);
  });

  it('stores secrets sealed, lists only their names, and resolves them with the declared settings', async () => {
    const { vault: v, store } = await vault('w1', {
      crm: { connector: 'oauthy', config: { base_url: 'http://x' } },
    });
    const saved = await v.set({
      name: 'crm',
      connector: 'oauthy',
      config: {},
      secrets: { client_id: 'id', client_secret: SECRET },
    });
    expect(saved).toMatchObject({
      name: 'crm',
      connector: 'oauthy',
      secretNames: ['client_id', 'client_secret'],
    });
    expect(JSON.stringify(await v.list())).not.toContain(SECRET);
    expect(databaseBytes(dir)).not.toContain(SECRET);
    expect(JSON.stringify(await store.listConnections('default'))).not.toContain(SECRET);
    const resolved = await v.resolve('crm');
    expect(resolved).toMatchObject({ name: 'crm', connector: 'oauthy', config: { base_url: 'http://x' } });
    expect(resolved?.secrets.client_secret).toBe(SECRET);
    expect(await v.resolve('nothing')).toBeNull();
  });

  it('rejects unknown connectors, unknown or missing secrets and bad settings without echoing values', async () => {
    const { vault: v } = await vault();
    await expect(v.set({ name: 'x', connector: 'nope', config: {}, secrets: {} })).rejects.toThrow(
      /unknown connector/,
    );
    await expect(
      v.set({
        name: 'x',
        connector: 'oauthy',
        config: { base_url: 'b' },
        secrets: { client_id: 'i', pasword: SECRET },
      }),
    ).rejects.toThrow(/has no secret "pasword"/);
    await expect(
      v.set({ name: 'x', connector: 'oauthy', config: { base_url: 'b' }, secrets: { client_id: 'i' } }),
    ).rejects.toThrow(/"client_secret" is required/);
    const error = await v
      .set({ name: 'x', connector: 'oauthy', config: {}, secrets: { client_id: 'i', client_secret: SECRET } })
      .catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(/base_url/);
    expect(String((error as Error).message)).not.toContain(SECRET);
  });

  it('refreshes an OAuth2 token once across many workers, and again once when the system rejects it', async () => {
    const workers = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => vault(w)));
    await workers[0]!.vault.set({
      name: 'crm',
      connector: 'oauthy',
      config: { base_url: 'http://x' },
      secrets: { client_id: 'id', client_secret: SECRET },
    });
    const connections = await Promise.all(workers.map((w) => w.vault.resolve('crm')));
    const first = await Promise.all(connections.map((c) => c!.accessToken!()));
    expect(refreshes.count).toBe(1);
    expect(new Set(first.map((t) => t.token))).toEqual(new Set(['token-1']));
    // The token is sealed in the store, not stored in the clear.
    expect(databaseBytes(dir)).not.toContain('token-1');
    const second = await Promise.all(connections.map((c) => c!.accessToken!({ rejected: 'token-1' })));
    expect(refreshes.count).toBe(2);
    expect(new Set(second.map((t) => t.token))).toEqual(new Set(['token-2']));
  });

  it('rotating the master key re-seals every secret and token; the old key no longer opens them', async () => {
    const { vault: v, store } = await vault();
    await v.set({
      name: 'crm',
      connector: 'oauthy',
      config: { base_url: 'b' },
      secrets: { client_id: 'i', client_secret: SECRET },
    });
    await (await v.resolve('crm'))!.accessToken!();
    const old = loadKeyring({ dataDir: dir });
    const fresh = Buffer.alloc(32, 7);
    writeKeyFile(keyFilePath(dir), [fresh, ...old.byId.values()]);
    const rotating = new Vault({
      store,
      keyring: loadKeyring({ dataDir: dir }),
      connectors: createConnectorRegistry([oauthConnector(refreshes)]),
      validator: new JsonSchemaValidator(),
      workspace: 'default',
      owner: 'w1',
      declared: {},
    });
    expect(await rotating.reseal()).toBe(2);
    writeKeyFile(keyFilePath(dir), [fresh]);
    const after = new Vault({
      store,
      keyring: loadKeyring({ dataDir: dir }),
      connectors: createConnectorRegistry([oauthConnector(refreshes)]),
      validator: new JsonSchemaValidator(),
      workspace: 'default',
      owner: 'w2',
      declared: {},
    });
    expect((await after.resolve('crm'))?.secrets.client_secret).toBe(SECRET);
    expect((await (await after.resolve('crm'))!.accessToken!()).token).toBe('token-1');
    // With only the old key, nothing opens: a clear error, no secret in it.
    const stale = new Vault({
      store,
      keyring: { ...old },
      connectors: createConnectorRegistry([oauthConnector(refreshes)]),
      validator: new JsonSchemaValidator(),
      workspace: 'default',
      owner: 'w3',
      declared: {},
    });
    const error = await stale.resolve('crm').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallError);
    expect((error as CallError).code).toBe('CONNECTION_INVALID');
    expect((error as CallError).message).not.toContain(SECRET);
  });
});
