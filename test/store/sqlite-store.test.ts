import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, shippedMigrationsDir } from '../../src/store/migrations.js';
import { QUEUE_DEPTH_SQL } from '../../src/store/queue-depth.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { describeStoreContract, type StoreHarness } from './store-contract.js';
import { deploy } from './contract/fixtures.js';

const TIME_COLUMNS = {
  leaseExpiresAt: 'lease_expires_at',
  runAfter: 'run_after',
  settledAt: 'settled_at',
  createdAt: 'created_at',
} as const;

/** A temp-file database per test; the backdoor is a second connection, as another process would have. */
async function makeSqliteHarness(): Promise<StoreHarness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-store-'));
  const file = path.join(dir, 'switchyard.db');
  const store = createSqliteStore({ path: file, pollIntervalMs: 2 });
  const peers: Store[] = [];
  let raw: Database.Database | undefined;
  const sql = (statement: string, ...params: unknown[]) => {
    raw ??= new Database(file);
    raw.prepare(statement).run(...params);
  };
  return {
    store,
    async openPeer() {
      const peer = createSqliteStore({ path: file, pollIntervalMs: 2 });
      peers.push(peer);
      return peer;
    },
    backdoor: {
      async setCallTimes(callId, times) {
        for (const [key, value] of Object.entries(times)) {
          sql(
            `UPDATE calls SET ${TIME_COLUMNS[key as keyof typeof TIME_COLUMNS]} = ? WHERE id = ?`,
            value,
            callId,
          );
        }
      },
      setKeyExpiry: async (workspace, tool, key, expiresAt) =>
        sql(
          'UPDATE idempotency_keys SET expires_at = ? WHERE workspace = ? AND tool = ? AND key = ?',
          expiresAt,
          workspace,
          tool,
          key,
        ),
      setMigrationChecksum: async (version, checksum) =>
        sql('UPDATE schema_migrations SET checksum = ? WHERE version = ?', checksum, version),
      dropColumn: async (table, column) => sql(`ALTER TABLE "${table}" DROP COLUMN "${column}"`),
      dropTable: async (table) => sql(`DROP TABLE "${table}"`),
      addColumn: async (table, column) => sql(`ALTER TABLE "${table}" ADD COLUMN "${column}" TEXT`),
    },
    async cleanup() {
      for (const peer of peers) await peer.close();
      await store.close();
      raw?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeStoreContract('sqlite', makeSqliteHarness);

describe('SQLite specifics', () => {
  it('finds the shipped migrations from the package root (the same path for src/ and dist/)', () => {
    expect(shippedMigrationsDir('sqlite')).toBe(
      path.resolve(import.meta.dirname, '../../src/store/migrations/sqlite'),
    );
    expect(loadMigrations('sqlite')[0]).toMatchObject({ version: 1, name: 'init' });
  });

  it('declares no push notifications and a single machine, each with a reason', () => {
    const store = createSqliteStore({ path: ':memory:' });
    expect(store.kind).toBe('sqlite');
    expect(store.capabilities.pushNotifications.value).toBe(false);
    expect(store.capabilities.multiMachine.value).toBe(false);
    expect(store.capabilities.pushNotifications.reason).not.toBe('');
    return store.close();
  });

  it('runs in memory for unit tests', async () => {
    const store = createSqliteStore({ path: ':memory:', synchronous: 'FULL' });
    await store.migrate();
    expect((await store.checkSchema()).ok).toBe(true);
    await deploy(store);
    expect(await store.listReleases('ws_main')).toHaveLength(1);
    await store.close();
  });

  it('reads the queue depth from the status index, not from every call kept', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'switchyard-depth-')), 'db.sqlite');
    const onDisk = createSqliteStore({ path: file });
    try {
      await onDisk.migrate();
      const raw = new Database(file, { readonly: true });
      const plan = raw
        .prepare(`EXPLAIN QUERY PLAN ${QUEUE_DEPTH_SQL}`)
        .all()
        .map((row) => (row as { detail: string }).detail)
        .join('; ');
      raw.close();
      // A search of an index by status (live calls only), never a scan of the whole table.
      expect(plan).toMatch(/SEARCH calls USING COVERING INDEX \w+ \(status=\?\)/);
      expect(plan).not.toMatch(/SCAN calls/);
    } finally {
      await onDisk.close();
      await rm(path.dirname(file), { recursive: true, force: true });
    }
  });

  it('opens a database in WAL mode, creating its folder, and refuses to update a release', async () => {
    const file = path.join(os.tmpdir(), `switchyard-nested-${process.pid}-${Date.now()}`, 'a', 'b.db');
    const nested = createSqliteStore({ path: file });
    try {
      await nested.migrate();
      expect(existsSync(file)).toBe(true);
      const raw = new Database(file);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const release = await deploy(nested);
      expect(() =>
        raw.prepare('UPDATE releases SET note = ? WHERE id = ?').run('tampered', release.id),
      ).toThrow(/immutable/);
      expect(() => raw.prepare('UPDATE recipe_versions SET source = ?').run('tampered')).toThrow(/immutable/);
      raw.close();
    } finally {
      await nested.close();
      await rm(path.dirname(path.dirname(file)), { recursive: true, force: true });
    }
  });
});
