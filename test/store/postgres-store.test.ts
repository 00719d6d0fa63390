import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadMigrations, shippedMigrationsDir } from '../../src/store/migrations.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { JournalWrite, Store } from '../../src/store/store.js';
import { usePostgres } from '../helpers/postgres.js';
import { callInput, claimOne, deploy, LEASE_MS, toolError, useHarness } from './contract/fixtures.js';
import { makePostgresHarness, rawClient, type PostgresHarness } from './postgres-harness.js';
import { describeStoreContract } from './store-contract.js';

// One embedded PostgreSQL for this file (or SWITCHYARD_TEST_PG_URL); a database per harness.
const server = usePostgres();

describeStoreContract('postgres', () => makePostgresHarness(server));

const TIMES = new Set([
  'createdAt',
  'updatedAt',
  'settledAt',
  'runAfter',
  'leaseExpiresAt',
  'startedAt',
  'endedAt',
  'finishedAt',
  'expiresAt',
]);

/** A record with what legitimately differs between two runs (clocks, generated ids) made comparable. */
function comparable(value: unknown, ids: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => comparable(v, ids));
  if (typeof value === 'string') {
    const stamped = value.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');
    return ids.get(stamped) ?? stamped;
  }
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      TIMES.has(key)
        ? v === null
          ? null
          : typeof v
        : key === 'id' && typeof v === 'number'
          ? 'entry'
          : comparable(v, ids),
    ]),
  );
}

/** The same history of operations, on any store; returns everything the store can tell about it. */
async function history(store: Store): Promise<unknown> {
  await store.migrate();
  const release = await deploy(store, 'ws_main', { echo: 'tool: echo', book: 'tool: book' });
  const step = { attempt: 1, kind: 'action', target: 'util.echo', effect: 'keyed', workerId: 'w1' } as const;
  const done = {
    status: 'succeeded',
    output: { z: 1, a: 'ü' },
    error: null,
    response: { status: 200 },
  } as const;
  const outcomes = [];
  // Keys in their own order, unicode and an escaped NUL survive as written.
  const a = await store.enqueue(
    callInput(release, {
      id: 'call_a',
      args: { zeta: 1, alpha: [1, { y: 'é \u0000 ✓' }] },
      meta: { server: 'default', b: 1, a: 2 },
      idempotencyKey: 'key-a',
      idempotencySource: 'header',
      deadlineAt: 4_102_444_800_000,
    }),
  );
  outcomes.push(
    a.kind,
    await store.enqueue(callInput(release, { idempotencyKey: 'key-a', idempotencySource: 'header' })),
  );
  const first = await claimOne(store, 'w1');
  const entry = (await store.startStep('call_a', first.token, {
    ...step,
    stepPath: 'lookup',
    request: { q: 'x' },
  })) as number;
  await store.finishStep('call_a', first.token, entry, done);
  await store.settle('call_a', first.token, {
    status: 'retry_wait',
    error: toolError('UPSTREAM_UNAVAILABLE', true),
    runAfter: Date.now() - 1,
  });
  const second = await claimOne(store, 'w2');
  const writes: JournalWrite[] = [
    { kind: 'record', start: { ...step, attempt: 2, stepPath: 'lookup', request: null }, finish: done },
    { kind: 'start', start: { ...step, attempt: 2, stepPath: 'book', request: { n: 1 } } },
    { kind: 'finish', attempt: 2, stepPath: 'book', finish: { ...done, status: 'skipped', output: null } },
  ];
  await store.startStep(
    'call_a',
    second.token,
    { ...step, attempt: 2, stepPath: 'charge', effect: 'unsafe', request: null },
    writes,
  );
  await store.settle('call_a', second.token, { status: 'succeeded', data: { b: [true, null], a: 1.5 } });
  await store.settle('call_a', first.token, { status: 'failed', error: toolError('LATE', false) });

  const b = await store.enqueue(
    callInput(release, { id: 'call_b', tool: 'book', claimFor: { workerId: 'w3', leaseMs: LEASE_MS } }),
  );
  outcomes.push(b.kind);
  await store.cancel('call_b', 'operator');
  await store.appendJournal('call_b', 1, writes);
  await store.enqueue(callInput(release, { id: 'call_c' }));
  await store.claim({ workerId: 'w4', limit: 1, leaseMs: 0 });
  const reclaimed = await store.reclaimExpired({ maxCrashes: 0 });
  await store.requeue('call_c');
  await store.enqueue(callInput(release, { id: 'call_d', args: { i: 4 } }));
  const ids = ['call_a', 'call_b', 'call_c', 'call_d'];
  return {
    outcomes,
    reclaimed,
    calls: await store.getCalls(ids),
    list: await store.listCalls({ limit: 10 }),
    counts: await store.countByStatus('ws_main'),
    journals: await Promise.all(ids.map((id) => store.listJournal(id))),
    attempts: await Promise.all(ids.map((id) => store.listAttempts(id))),
    release: await store.getRelease(release.id),
    releases: await store.listReleases('ws_main'),
    releaseId: release.id,
    wake: (await store.nextWakeAt()) === null,
  };
}

describe('the records, compared with SQLite', () => {
  it('come back the same for the same history, down to the order of JSON keys', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-parity-'));
    const sqlite = createSqliteStore({ path: path.join(dir, 'switchyard.db') });
    const h = await makePostgresHarness(server);
    try {
      const [expected, actual] = (await Promise.all([history(sqlite), history(h.store)])) as {
        releaseId: string;
      }[];
      const normal = (snapshot: { releaseId: string }) =>
        comparable(snapshot, new Map([[snapshot.releaseId, '<release>']]));
      expect(normal(actual as { releaseId: string })).toEqual(normal(expected as { releaseId: string }));
      // toEqual ignores key order; the stored JSON keeps it.
      expect(JSON.stringify(actual)).toMatch(/"args":\{"zeta":1,"alpha":\[1,\{"y":"é \\u0000 ✓"\}\]\}/);
      expect(JSON.stringify(actual)).toContain('"result":{"b":[true,null],"a":1.5}');
    } finally {
      await sqlite.close();
      await h.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PostgreSQL specifics', () => {
  it('finds the shipped migrations from the package root', () => {
    expect(shippedMigrationsDir('postgres')).toBe(
      path.resolve(import.meta.dirname, '../../src/store/migrations/postgres'),
    );
    expect(loadMigrations('postgres').map((m) => [m.version, m.name])).toEqual(
      loadMigrations('sqlite').map((m) => [m.version, m.name]),
    );
  });

  it('declares push notifications and many machines, each with a reason', async () => {
    const store = createPostgresStore({ url: server().url() });
    expect(store.kind).toBe('postgres');
    expect(store.capabilities.pushNotifications).toMatchObject({
      value: true,
      reason: expect.stringMatching(/NOTIFY/),
    });
    expect(store.capabilities.multiMachine.value).toBe(true);
    expect(store.capabilities.multiMachine.reason).not.toBe('');
    await store.close();
  });

  describe('with a database of its own', () => {
    const harness = useHarness(() => makePostgresHarness(server), { migrate: false });

    it('has the tables and columns of the SQLite schema (plus `seq`, its stand-in for rowid)', async () => {
      const h = harness() as PostgresHarness;
      await h.store.migrate();
      const file = new Database(':memory:');
      for (const m of loadMigrations('sqlite')) file.exec(m.sql);
      const sqliteColumns = file
        .prepare<[], { t: string; c: string }>(
          `SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`,
        )
        .all()
        .map((r) => `${r.t}.${r.c}`)
        .sort();
      file.close();
      const raw = await rawClient(h.url);
      const { rows } = await raw.query<{ t: string; c: string }>(
        `SELECT table_name AS t, column_name AS c FROM information_schema.columns
         WHERE table_schema = current_schema() AND column_name <> 'seq'`,
      );
      await raw.end();
      expect(rows.map((r) => `${r.t}.${r.c}`).sort()).toEqual(sqliteColumns);
    });

    it('migrates once when several processes migrate at the same moment', async () => {
      const h = harness();
      const stores = [h.store, ...(await Promise.all([1, 2, 3, 4, 5].map(() => h.openPeer())))];
      await Promise.all(stores.map((s) => s.migrate()));
      const report = await h.store.checkSchema();
      expect(report).toMatchObject({ ok: true, pending: [], drift: [] });
      expect(report.applied.map((m) => m.version)).toEqual(loadMigrations('postgres').map((m) => m.version));
    });

    it('reports a changed index, an extra table and a missing trigger as drift', async () => {
      const h = harness() as PostgresHarness;
      await h.store.migrate();
      const raw = await rawClient(h.url);
      await raw.query('DROP INDEX calls_by_status; CREATE INDEX calls_by_status ON calls (status)');
      await raw.query('CREATE TABLE notes (id integer)');
      await raw.query('DROP TRIGGER calls_moved ON calls');
      await raw.end();
      const drift = (await h.store.checkSchema()).drift.join('\n');
      expect(drift).toMatch(/index calls_by_status is .*expected/);
      expect(drift).toMatch(/unexpected table notes/);
      expect(drift).toMatch(/missing trigger calls\.calls_moved/);
    });

    it('refuses to update a release, its recipes or a recipe version', async () => {
      const h = harness() as PostgresHarness;
      await h.store.migrate();
      const release = await deploy(h.store);
      const raw = await rawClient(h.url);
      try {
        await expect(
          raw.query(`UPDATE releases SET note = 'tampered' WHERE id = $1`, [release.id]),
        ).rejects.toThrow(/releases are immutable/);
        await expect(raw.query(`UPDATE recipe_versions SET source = 'tampered'`)).rejects.toThrow(
          /recipe versions are immutable/,
        );
        await expect(raw.query(`UPDATE release_recipes SET file = 'x'`)).rejects.toThrow(
          /release recipes are immutable/,
        );
      } finally {
        await raw.end();
      }
    });
  });
});
