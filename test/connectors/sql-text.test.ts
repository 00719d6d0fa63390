import { describe, expect, it } from 'vitest';
import { bindParams } from '../../src/connectors/sql/bind.js';
import { analyzeSql } from '../../src/connectors/sql/sql-text.js';
import { CallError } from '../../src/core/errors.js';

const names = (sql: string, dialect: 'sqlite' | 'postgres' = 'sqlite') =>
  analyzeSql(sql, dialect).placeholders.map((p) => (p.kind === 'named' ? `:${p.name}` : `#${p.index}`));

describe('SQL scanner', () => {
  it('finds placeholders but not look-alikes in strings, comments, casts or dollar quotes', () => {
    expect(
      names(
        'SELECT \':no\', ":no", x::int, $$ :no $$, $t$ $no $t$ -- :no\n FROM t WHERE a = :a AND b = $b /* :no */',
      ),
    ).toEqual([':a', ':b']);
    expect(names('SELECT ?, ?5, ?, @who')).toEqual(['#1', '#5', '#6', ':who']);
    expect(names('SELECT $1, $2, foo$bar, col ? 1', 'postgres')).toEqual(['#1', '#2']);
    expect(names("SELECT E'it\\'s :no', 'it''s :no' WHERE x = :x")).toEqual([':x']);
  });

  it('tells one statement from several', () => {
    const multiple = (sql: string) => analyzeSql(sql, 'sqlite').multipleStatements;
    expect(multiple('SELECT 1')).toBe(false);
    expect(multiple('SELECT 1;')).toBe(false);
    expect(multiple('SELECT 1; -- done\n /* really */ ')).toBe(false);
    expect(multiple("SELECT ';' AS s, 'a; DROP TABLE t' AS t")).toBe(false);
    expect(multiple('SELECT 1; DROP TABLE t')).toBe(true);
    expect(multiple("SELECT 1; 'x'")).toBe(true);
    expect(multiple('SELECT 1;;')).toBe(true);
    expect(multiple('SELECT $$ a; b $$; SELECT 2')).toBe(true);
  });

  it('keeps keywords inside strings and comments out of the code', () => {
    const code = analyzeSql("INSERT INTO t VALUES ('ON CONFLICT') -- ON CONFLICT", 'postgres').code;
    expect(code).not.toMatch(/conflict/i);
  });
});

describe('parameter binding', () => {
  const bind = (sql: string, params: Parameters<typeof bindParams>[1]) =>
    bindParams(analyzeSql(sql, 'sqlite'), params, 'call_1:s');

  it('binds named values and always offers the step key', () => {
    expect(bind('INSERT INTO t VALUES (:a, :step_key)', { a: 1 })).toEqual({
      positional: [],
      named: { a: 1, step_key: 'call_1:s' },
    });
    expect(bind('INSERT INTO t VALUES (?, :step_key)', [1])).toEqual({
      positional: [1],
      named: { step_key: 'call_1:s' },
    });
  });

  it('refuses missing, mismatched or reserved parameters', () => {
    const invalid = (sql: string, params: Parameters<typeof bindParams>[1]) => {
      expect(() => bind(sql, params)).toThrow(CallError);
      try {
        bind(sql, params);
      } catch (error) {
        expect((error as CallError).code).toBe('SQL_INVALID');
      }
    };
    invalid('SELECT :a', {});
    invalid('SELECT :a', [1]);
    invalid('SELECT ?', { a: 1 });
    invalid('SELECT ?, ?', [1]);
    invalid('SELECT ?', [1, 2]);
    invalid('SELECT :step_key', { step_key: 'forged' });
    invalid('SELECT 1', 'text' as unknown as never);
  });
});
