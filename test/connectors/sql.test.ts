import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createSqlConnector } from '../../src/connectors/sql/index.js';
import { CallError } from '../../src/core/errors.js';
import { actionContext, expectCallError, runAction } from './helpers.js';
import { describeSqlContract } from './sql-contract.js';
import { usePostgres } from '../helpers/postgres.js';

describeSqlContract('SQLite (temp file)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-sql-'));
  return {
    connection: {
      name: 'db',
      connector: 'sql',
      config: { url: `sqlite://${path.join(dir, 'app.db')}` },
      secrets: {},
    },
    positional: () => '?',
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

// On an embedded PostgreSQL started for these tests, or on the server of SWITCHYARD_TEST_PG_URL when set.
describe('sql connector on PostgreSQL', () => {
  const server = usePostgres();
  const pgUrl = () => server().url();
  describeSqlContract('PostgreSQL', async () => ({
    connection: { name: 'db', connector: 'sql', config: { url: pgUrl(), pool_size: 2 }, secrets: {} },
    positional: (n) => `$${n}`,
    cleanup: async () => undefined,
  }));

  describe('sql connector: PostgreSQL specifics', () => {
    const pg = (config: Record<string, string | number> = {}) =>
      actionContext({
        name: 'db',
        connector: 'sql',
        config: { url: pgUrl(), pool_size: 2, ...config },
        secrets: {},
      });

    it('reads $step_key and named parameters next to :: casts', async () => {
      const sql = createSqlConnector();
      const result = await runAction(
        sql,
        'query',
        { sql: 'SELECT $step_key AS k, :n::int + 1 AS v', params: { n: '41' } },
        pg(),
      );
      expect(result.output).toEqual({ rows: [{ k: 'call_test:step-1', v: 42 }], row_count: 1 });
      await sql.close?.();
    });

    it('maps statement_timeout to a retry-safe STEP_TIMEOUT', async () => {
      const sql = createSqlConnector();
      await expectCallError(
        runAction(sql, 'query', { sql: 'SELECT pg_sleep(2)' }, pg({ statement_timeout: '50ms' })),
        {
          code: 'STEP_TIMEOUT',
          retrySafe: true,
        },
      );
      await sql.close?.();
    });

    it('stops waiting when the step is aborted, and the pool stays usable', async () => {
      const sql = createSqlConnector();
      const controller = new AbortController();
      const reason = new CallError({ code: 'STEP_TIMEOUT', message: 'step timed out', retrySafe: true });
      const pending = runAction(
        sql,
        'query',
        { sql: 'SELECT pg_sleep(0.3)' },
        actionContext(pg().connection, { signal: controller.signal }),
      );
      setTimeout(() => controller.abort(reason), 20);
      await expect(pending).rejects.toBe(reason);
      const after = await runAction(sql, 'query', { sql: 'SELECT 1 AS one' }, pg());
      expect(after.output).toEqual({ rows: [{ one: 1 }], row_count: 1 });
      await sql.close?.();
    });
  });
});

describe('sql connector: SQLite specifics', () => {
  it('reports last_insert_id only for an insert that inserted, and writes to the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-sql-'));
    const file = path.join(dir, 'app.db');
    const sql = createSqlConnector();
    const ctx = actionContext({
      name: 'db',
      connector: 'sql',
      config: { url: `sqlite://${file}` },
      secrets: {},
    });
    try {
      await runAction(sql, 'execute', { sql: 'CREATE TABLE t (id integer PRIMARY KEY, v text UNIQUE)' }, ctx);
      const first = await runAction(
        sql,
        'execute',
        { sql: 'INSERT INTO t (v) VALUES (:v) ON CONFLICT DO NOTHING', params: { v: 'a' } },
        ctx,
      );
      expect(first.output).toEqual({ row_count: 1, last_insert_id: 1 });
      const again = await runAction(
        sql,
        'execute',
        { sql: 'INSERT INTO t (v) VALUES (:v) ON CONFLICT DO NOTHING', params: { v: 'a' } },
        ctx,
      );
      expect(again.output).toEqual({ row_count: 0 });
      const update = await runAction(sql, 'execute', { sql: "UPDATE t SET v = 'b'" }, ctx);
      expect(update.output).toEqual({ row_count: 1 });
      await sql.close?.();
      const raw = new Database(file, { readonly: true });
      expect(raw.prepare('SELECT v FROM t').all()).toEqual([{ v: 'b' }]);
      raw.close();
    } finally {
      await sql.close?.();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('returns integers beyond 2^53 as strings rather than rounding them', async () => {
    const sql = createSqlConnector();
    const ctx = actionContext({
      name: 'db',
      connector: 'sql',
      config: { url: 'sqlite::memory:' },
      secrets: {},
    });
    const result = await runAction(sql, 'query', { sql: 'SELECT 9007199254740993 AS big, 42 AS small' }, ctx);
    expect(result.output).toEqual({ rows: [{ big: '9007199254740993', small: 42 }], row_count: 1 });
    await sql.close?.();
  });

  it('refuses a connection whose URL is neither SQLite nor PostgreSQL', async () => {
    const sql = createSqlConnector();
    const ctx = actionContext({ name: 'db', connector: 'sql', config: { url: 'mysql://x' }, secrets: {} });
    await expectCallError(runAction(sql, 'query', { sql: 'SELECT 1' }, ctx), { code: 'CONNECTION_INVALID' });
  });
});
