import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/core/json.js';
import type { ResolvedConnection } from '../../src/connectors/connector.js';
import { createSqlConnector } from '../../src/connectors/sql/index.js';
import { actionContext, effectOf, expectCallError, runAction } from './helpers.js';

export interface SqlHarness {
  connection: ResolvedConnection;
  /** The dialect's positional placeholder number `n` (`?` or `$n`). */
  positional(n: number): string;
  cleanup(): Promise<void>;
}

/** The behaviour every `sql` backend must show, run against each with a table of its own per test. */
export function describeSqlContract(name: string, makeHarness: () => Promise<SqlHarness>): void {
  describe(`sql connector contract: ${name}`, () => {
    const sql = createSqlConnector();
    let h: SqlHarness;
    let table: string;
    const ctx = (stepKey = 'call_1:insert') => actionContext(h.connection, { stepKey });
    const query = (input: JsonObject, stepKey?: string) => runAction(sql, 'query', input, ctx(stepKey));
    const execute = (input: JsonObject, stepKey?: string) => runAction(sql, 'execute', input, ctx(stepKey));
    const count = async () =>
      (await query({ sql: `SELECT count(*) AS n FROM ${table}` })).output as {
        rows: { n: number | string }[];
      };

    beforeEach(async () => {
      h = await makeHarness();
      table = `guests_${randomBytes(4).toString('hex')}`;
      await execute({
        sql: `CREATE TABLE ${table} (id integer PRIMARY KEY, name text NOT NULL, call_step text UNIQUE)`,
      });
    });
    afterEach(async () => {
      await execute({ sql: `DROP TABLE IF EXISTS ${table}` });
      await h.cleanup();
    });
    afterAll(() => sql.close?.());

    it('executes and queries with named and positional parameters', async () => {
      const inserted = await execute({
        sql: `INSERT INTO ${table} (id, name) VALUES (:id, :name)`,
        params: { id: 1, name: 'Ada' },
      });
      expect(inserted.output).toMatchObject({ row_count: 1 });
      await execute({
        sql: `INSERT INTO ${table} (id, name) VALUES (${h.positional(1)}, ${h.positional(2)})`,
        params: [2, 'Grace'],
      });

      const byName = await query({
        sql: `SELECT id, name FROM ${table} WHERE name = :name`,
        params: { name: 'Grace' },
      });
      expect(byName.output).toEqual({ rows: [{ id: 2, name: 'Grace' }], row_count: 1 });
      const all = await query({
        sql: `SELECT id, name FROM ${table} WHERE id >= ${h.positional(1)} ORDER BY id`,
        params: [1],
      });
      expect(all.output).toEqual({
        rows: [
          { id: 1, name: 'Ada' },
          { id: 2, name: 'Grace' },
        ],
        row_count: 2,
      });
      expect(all.request).toEqual({
        sql: expect.stringContaining('SELECT id, name') as string,
        params: ['$1'],
      });
    });

    it('keeps an injection attempt a literal value', async () => {
      const evil = `x'); DROP TABLE ${table}; --`;
      await execute({
        sql: `INSERT INTO ${table} (id, name) VALUES (:id, :name)`,
        params: { id: 1, name: evil },
      });
      const found = await query({
        sql: `SELECT name FROM ${table} WHERE name = :name`,
        params: { name: evil },
      });
      expect(found.output).toEqual({ rows: [{ name: evil }], row_count: 1 });
    });

    it('rejects several statements in one step', async () => {
      await expectCallError(query({ sql: `SELECT 1; DROP TABLE ${table}` }), {
        code: 'SQL_INVALID',
        retrySafe: false,
      });
      await expectCallError(execute({ sql: `DELETE FROM ${table}; DROP TABLE ${table}` }), {
        code: 'SQL_INVALID',
      });
      expect((await count()).rows).toHaveLength(1);
    });

    it('deduplicates a repeated ON CONFLICT insert keyed by :step_key', async () => {
      const input = {
        sql: `INSERT INTO ${table} (id, name, call_step) VALUES (:id, :name, :step_key) ON CONFLICT DO NOTHING`,
        params: { id: 7, name: 'Ada' },
      };
      expect(effectOf(sql, 'execute', input)).toBe('keyed');
      expect((await execute(input)).output).toMatchObject({ row_count: 1 });
      expect((await execute(input)).output).toMatchObject({ row_count: 0 });
      const rows = await query({ sql: `SELECT id, call_step FROM ${table}` });
      expect(rows.output).toEqual({ rows: [{ id: 7, call_step: 'call_1:insert' }], row_count: 1 });
      // Another step (another key) is another effect.
      await execute({ ...input, params: { id: 8, name: 'Ada' } }, 'call_1:other');
      expect(Number((await count()).rows[0]?.n)).toBe(2);
    });

    it('declares query effect-free and plain writes unsafe', () => {
      expect(effectOf(sql, 'query', { sql: 'SELECT 1' })).toBe('none');
      expect(effectOf(sql, 'execute', { sql: `INSERT INTO ${table} (id, name) VALUES (1, 'a')` })).toBe(
        'unsafe',
      );
      expect(
        effectOf(sql, 'execute', { sql: `INSERT INTO ${table} (id, name) VALUES (1, 'ON CONFLICT')` }),
      ).toBe('unsafe');
    });

    it('refuses writes through query', async () => {
      await expectCallError(query({ sql: `INSERT INTO ${table} (id, name) VALUES (1, 'a')` }), {
        code: 'SQL_NOT_READ_ONLY',
        retrySafe: false,
      });
      expect(Number((await count()).rows[0]?.n)).toBe(0);
    });

    it('returns RETURNING rows from execute', async () => {
      const result = await execute({
        sql: `INSERT INTO ${table} (id, name) VALUES (:id, :name) RETURNING id, name`,
        params: { id: 3, name: 'Lin' },
      });
      expect(result.output).toMatchObject({ row_count: 1, rows: [{ id: 3, name: 'Lin' }] });
    });

    it('maps a constraint violation to SQL_CONSTRAINT, not retry-safe', async () => {
      const input = {
        sql: `INSERT INTO ${table} (id, name) VALUES (:id, :name)`,
        params: { id: 1, name: 'a' },
      };
      await execute(input);
      await expectCallError(execute(input), { code: 'SQL_CONSTRAINT', retrySafe: false });
    });

    it('maps a bad statement to SQL_ERROR and a missing parameter to SQL_INVALID', async () => {
      await expectCallError(query({ sql: 'SELECT * FROM no_such_table_here' }), {
        code: 'SQL_ERROR',
        retrySafe: false,
      });
      await expectCallError(query({ sql: `SELECT * FROM ${table} WHERE id = :id` }), { code: 'SQL_INVALID' });
      await expectCallError(query({ sql: 'SELECT :step_key AS k', params: { step_key: 'forged' } }), {
        code: 'SQL_INVALID',
      });
    });

    it('refuses transaction control: each step is its own transaction', async () => {
      await expectCallError(execute({ sql: 'BEGIN' }), { code: 'SQL_INVALID' });
      await expectCallError(execute({ sql: 'commit;' }), { code: 'SQL_INVALID' });
    });

    it('binds booleans and JSON values', async () => {
      const result = await query({
        sql: 'SELECT :flag AS flag, :doc AS doc',
        params: { flag: true, doc: { a: [1] } },
      });
      const row = (result.output as { rows: JsonObject[] }).rows[0];
      expect([true, 1, 'true']).toContain(row?.flag);
      expect(JSON.parse(String(row?.doc))).toEqual({ a: [1] });
    });
  });
}
