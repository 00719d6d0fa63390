import type { JsonObject } from '../../core/json.js';
import type { StepEffect } from '../../store/store.js';
import { createConnectionReader } from '../connection-config.js';
import type { ActionContext, Connector } from '../connector.js';
import type { SqlBackend } from './backend.js';
import { bindParams, invalid, STEP_KEY_PARAM } from './bind.js';
import { SQL_CONNECTION_SCHEMA, resolveSqlConfig, type ResolvedSqlConfig } from './config.js';
import { openPostgres } from './postgres-backend.js';
import { sqlFailure } from './sql-failure.js';
import { analyzeSql, type SqlText } from './sql-text.js';
import { openSqlite } from './sqlite-backend.js';

const INPUT: JsonObject = {
  type: 'object',
  required: ['sql'],
  additionalProperties: false,
  properties: {
    sql: { type: 'string', minLength: 1, description: 'One statement; values only through placeholders.' },
    params: {
      type: ['array', 'object'],
      description: `Positional (array) or named (object) values; :${STEP_KEY_PARAM} / $${STEP_KEY_PARAM} is always the step key.`,
    },
  },
};

// Each step runs alone on a pooled connection: a transaction opened by one step would capture other calls'.
const TRANSACTION_CONTROL = /^\s*(begin|commit|end|rollback|savepoint|release|start\s+transaction|abort)\b/i;

/**
 * `sql`: bound-parameter statements against SQLite (`sqlite:///abs/path.db`, `sqlite::memory:`) or
 * PostgreSQL (`postgres://…`). Connections are opened on first use and kept per URL (one SQLite handle,
 * one pg pool) until `close()`; a `sqlite::memory:` database lives as long as the connector.
 */
export function createSqlConnector(): Connector {
  const backends = new Map<string, SqlBackend>();
  const readConnection = createConnectionReader('sql', SQL_CONNECTION_SCHEMA, resolveSqlConfig);
  const backendFor = (config: ResolvedSqlConfig): SqlBackend => {
    let backend = backends.get(config.key);
    if (!backend) {
      backend = config.kind === 'sqlite' ? openSqlite(config.path) : openPostgres(config);
      backends.set(config.key, backend);
    }
    return backend;
  };

  /** Checks the statement, binds its parameters, and maps driver failures; `run` does the rest. */
  const prepared = async <T>(
    input: JsonObject,
    ctx: ActionContext,
    effect: StepEffect,
    run: (b: SqlBackend, t: SqlText) => Promise<T>,
  ) => {
    const config = readConnection(ctx.connection);
    try {
      const backend = backendFor(config);
      const text = analyzeSql(input.sql as string, backend.dialect);
      if (text.multipleStatements) throw invalid('one statement per step: the SQL contains several');
      if (TRANSACTION_CONTROL.test(text.code)) {
        throw invalid('transaction control is not available: each step is its own transaction');
      }
      return { text, result: await run(backend, text) };
    } catch (error) {
      // Opening the database is inside: a file that cannot be opened is a mapped failure, not INTERNAL.
      throw sqlFailure(error, effect);
    }
  };

  return {
    name: 'sql',
    description: 'SQL statements with bound parameters against SQLite or PostgreSQL.',
    connectionSchema: SQL_CONNECTION_SCHEMA,
    actions: {
      query: {
        description: 'Runs a read-only statement and returns its rows.',
        input: INPUT,
        output: { type: 'object', properties: { rows: { type: 'array' }, row_count: { type: 'integer' } } },
        effect: () => 'none',
        async run(input, ctx) {
          const { text, result: rows } = await prepared(input, ctx, 'none', (backend, text) =>
            backend.query(text, bindParams(text, input.params, ctx.stepKey), ctx.signal),
          );
          return {
            output: { rows, row_count: rows.length },
            request: summary(text),
            response: { row_count: rows.length },
          };
        },
      },
      execute: {
        description: `Runs a writing statement. Add ON CONFLICT (e.g. on a column holding :${STEP_KEY_PARAM}) to make a repeat apply once.`,
        input: INPUT,
        output: {
          type: 'object',
          properties: { row_count: { type: 'integer' }, last_insert_id: {}, rows: { type: 'array' } },
        },
        effect: executeEffect,
        async run(input, ctx) {
          const effect = executeEffect(input);
          const { text, result } = await prepared(input, ctx, effect, (backend, text) =>
            backend.execute(text, bindParams(text, input.params, ctx.stepKey), ctx.signal),
          );
          const output: JsonObject = { row_count: result.rowCount };
          if (result.lastInsertId !== undefined) output.last_insert_id = result.lastInsertId;
          if (result.rows !== undefined) output.rows = result.rows;
          return { output, request: summary(text), response: { row_count: result.rowCount } };
        },
      },
    },
    async close() {
      const open = [...backends.values()];
      backends.clear();
      await Promise.allSettled(open.map((backend) => backend.close()));
    },
  };
}

/** An ON CONFLICT clause is how a statement deduplicates; without one, a repeat writes again. */
function executeEffect(input: JsonObject): StepEffect {
  const text = analyzeSql(typeof input.sql === 'string' ? input.sql : '', 'postgres');
  return /\bon\s+conflict\b/i.test(text.code) ? 'keyed' : 'unsafe';
}

/** The audit keeps the statement (recipe text) and the parameter names, never their values. */
function summary(text: SqlText): JsonObject {
  const names = [...new Set(text.placeholders.map((p) => (p.kind === 'named' ? p.name : `$${p.index}`)))];
  return { sql: text.sql.length > 2000 ? `${text.sql.slice(0, 2000)}…` : text.sql, params: names };
}
