import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, loadSqliteMigrations } from '../../src/store/sqlite/migrate.js';
import { openDatabase } from '../../src/store/sqlite/open.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-migrations-'));
  file = path.join(dir, 'switchyard.db');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const upTo = (version: number) => loadSqliteMigrations().filter((m) => m.version <= version);

/** Opcodes of an INSERT that checks every constraint of `table`. */
function insertOpcodes(db: Database.Database, table: string): string[] {
  return db
    .prepare(`EXPLAIN INSERT INTO "${table}" DEFAULT VALUES`)
    .all()
    .map((row) => (row as { opcode: string }).opcode);
}

/** A database at version 5 holding one call with a journal entry, an attempt, an ask and a key. */
function version5WithRows(): void {
  const db = openDatabase(file);
  applyMigrations(db, upTo(5));
  const now = Date.now();
  db.exec(`
    INSERT INTO releases (id, workspace, digest, created_at) VALUES ('rel_1', 'default', 'd', ${now});
    INSERT INTO calls (id, workspace, tool, release_id, args, args_hash, status, max_attempts, run_after, created_at,
      updated_at, attempt, lease_token, worker_id, lease_expires_at)
    VALUES ('call_b', 'default', 'echo', 'rel_1', '{}', 'h', 'queued', 3, ${now}, ${now}, ${now}, 0, 0, NULL, NULL),
           ('call_a', 'default', 'echo', 'rel_1', '{"m":1}', 'h', 'input_required', 3, ${now}, ${now}, ${now}, 1, 1,
             'worker_1', NULL);
    INSERT INTO journal (workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token, status,
      output, started_at, finished_at)
    VALUES ('default', 'call_a', 1, 'said', 'action', 'util.echo', 'none', 'worker_1', 1, 'succeeded', '"hi"', ${now},
      ${now});
    INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
    VALUES ('default', 'call_a', 1, 1, 'worker_1', 'input_required', ${now});
    INSERT INTO asks (token, workspace, call_id, step_path, attempt, requests, status, created_at, expires_at)
    VALUES ('ask_1', 'default', 'call_a', 'confirm', 1, '{}', 'open', ${now}, ${now + 60_000});
    INSERT INTO idempotency_keys (workspace, tool, key, args_hash, call_id, source, created_at, expires_at)
    VALUES ('default', 'echo', 'k1', 'h', 'call_a', 'header', ${now}, ${now + 60_000});
  `);
  db.close();
}

describe('SQLite migrations', () => {
  it('before 0006, checking a call built a temporary b-tree per IN list; now no table needs one', () => {
    const old = new Database(':memory:');
    applyMigrations(old, upTo(5));
    expect(insertOpcodes(old, 'calls')).toContain('OpenEphemeral');
    old.close();

    const db = new Database(':memory:');
    applyMigrations(db, loadSqliteMigrations());
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      .pluck()
      .all() as string[];
    expect(tables).toEqual(expect.arrayContaining(['calls', 'journal', 'attempts', 'asks']));
    for (const table of tables)
      expect({ table, ephemeral: insertOpcodes(db, table).includes('OpenEphemeral') }).toEqual({
        table,
        ephemeral: false,
      });
    db.close();
  });

  it('upgrades a version 5 database with its rows, rowids and keys, still refusing what the checks refuse', async () => {
    version5WithRows();
    const before = new Database(file, { readonly: true });
    const rowids = before.prepare('SELECT id, rowid FROM calls ORDER BY rowid').all();
    before.close();

    const store = createSqliteStore({ path: file });
    try {
      await store.migrate();
      expect(await store.checkSchema()).toMatchObject({ ok: true, pending: [], drift: [] });
      expect(await store.getCall('call_a')).toMatchObject({
        status: 'input_required',
        args: { m: 1 },
        workerId: 'worker_1',
      });
      expect(await store.listJournal('call_a')).toMatchObject([{ stepPath: 'said', output: 'hi' }]);
      expect(await store.listAttempts('call_a')).toMatchObject([{ outcome: 'input_required' }]);
      expect(await store.getAsk('ask_1')).toMatchObject({ callId: 'call_a', status: 'open' });

      const raw = new Database(file);
      expect(raw.prepare('SELECT id, rowid FROM calls ORDER BY rowid').all()).toEqual(rowids);
      expect(raw.pragma('foreign_key_check')).toEqual([]);
      const insert = (status: string) =>
        raw
          .prepare(
            `INSERT INTO calls (id, workspace, tool, release_id, args, args_hash, status, max_attempts, run_after,
               created_at, updated_at) VALUES (?, 'default', 'echo', 'rel_1', '{}', 'h', ?, 3, 0, 0, 0)`,
          )
          .run(`call_${status}`, status);
      expect(() => insert('bogus')).toThrow(/CHECK constraint failed/);
      expect(() => insert('queued')).not.toThrow();
      expect(() =>
        raw.prepare(`UPDATE journal SET kind = 'teleport' WHERE call_id = 'call_a'`).run(),
      ).toThrow(/CHECK constraint failed/);
      // Foreign keys are enforced again on the store's connections.
      expect(() =>
        raw
          .prepare(
            `INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
             VALUES ('default', 'call_missing', 1, 1, 'w', 'running', 0)`,
          )
          .run(),
      ).toThrow(/FOREIGN KEY constraint failed/);
      raw.close();
    } finally {
      await store.close();
    }
  });

  it('rolls back a migration that leaves a broken foreign key, and enforces keys again afterwards', () => {
    const db = openDatabase(file);
    applyMigrations(db, loadSqliteMigrations());
    const broken = {
      version: 900,
      name: 'orphan',
      checksum: '0'.repeat(64),
      sql: `INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
            VALUES ('default', 'call_missing', 1, 1, 'w', 'running', 0);`,
    };
    expect(() => applyMigrations(db, [...loadSqliteMigrations(), broken])).toThrow(
      /broken foreign key.*attempts.*calls.*rolled back/,
    );
    expect(db.prepare('SELECT count(*) FROM attempts').pluck().get()).toBe(0);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(
      Math.max(...loadSqliteMigrations().map((m) => m.version)),
    );
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('checks the keys only after applying something: a start with nothing to migrate reads no rows', () => {
    const db = openDatabase(file);
    applyMigrations(db, loadSqliteMigrations());
    // An orphan no migration made (written with enforcement off): only a full check would notice it.
    db.pragma('foreign_keys = OFF');
    db.prepare(
      `INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
       VALUES ('default', 'call_missing', 1, 1, 'w', 'running', 0)`,
    ).run();
    db.pragma('foreign_keys = ON');
    expect(() => applyMigrations(db, loadSqliteMigrations())).not.toThrow();
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });
});
