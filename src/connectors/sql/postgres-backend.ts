import pg from 'pg';
import type { JsonValue } from '../../core/json.js';
import { abortError } from '../abort-error.js';
import type { SqlBackend } from './backend.js';
import type { BoundParams } from './bind.js';
import { toJsonRow } from './json-row.js';
import type { SqlText } from './sql-text.js';

export interface PostgresOptions {
  url: string;
  poolSize: number;
  statementTimeoutMs: number | null;
}

/**
 * A PostgreSQL pool through `pg`. Named placeholders become `$n` after the positional ones; `query` runs
 * in a READ ONLY transaction so a statement that writes fails instead of being journaled as effect-free.
 */
export function openPostgres(options: PostgresOptions): SqlBackend {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    ...(options.statementTimeoutMs === null ? {} : { statement_timeout: options.statementTimeoutMs }),
  });
  // An idle client that dies emits here; the pool already dropped it, and the next checkout reconnects.
  pool.on('error', () => undefined);
  let ended: Promise<void> | null = null;

  return {
    dialect: 'postgres',
    async query(text, params, signal) {
      const { sql, values } = render(text, params);
      const client = await connect(pool, signal);
      try {
        await client.query('BEGIN READ ONLY');
        const result = await abortable(client.query(sql, values), signal);
        await client.query('COMMIT');
        const rows = result.rows.map((row: Record<string, unknown>) => toJsonRow(row));
        client.release();
        return rows;
      } catch (error) {
        // After an abort this queues behind the statement still running, so it is not waited for.
        const cleanup = client.query('ROLLBACK').then(
          () => client.release(),
          (rollbackError: Error) => client.release(rollbackError),
        );
        if (!signal.aborted) await cleanup;
        throw error;
      }
    },
    async execute(text, params, signal) {
      const { sql, values } = render(text, params);
      const result = await abortable(pool.query(sql, values), signal);
      const rowCount = result.rowCount ?? 0;
      return result.fields.length > 0
        ? { rowCount, rows: result.rows.map((row: Record<string, unknown>) => toJsonRow(row)) }
        : { rowCount };
    },
    close() {
      ended ??= pool.end();
      return ended;
    },
  };
}

function render(text: SqlText, params: BoundParams): { sql: string; values: JsonValue[] } {
  const names: string[] = [];
  let sql = '';
  let from = 0;
  for (const p of text.placeholders) {
    if (p.kind !== 'named') continue;
    if (!names.includes(p.name)) names.push(p.name);
    sql += `${text.sql.slice(from, p.start)}$${params.positional.length + names.indexOf(p.name) + 1}`;
    from = p.end;
  }
  sql += text.sql.slice(from);
  return { sql, values: [...params.positional, ...names.map((name) => params.named[name] ?? null)] };
}

/** Checks a client out; one that arrives after the step gave up waiting goes straight back. */
async function connect(pool: pg.Pool, signal: AbortSignal): Promise<pg.PoolClient> {
  const pending = pool.connect();
  try {
    return await abortable(pending, signal);
  } catch (error) {
    pending.then(
      (client) => client.release(),
      () => undefined,
    );
    throw error;
  }
}

/**
 * Stops waiting when the step is aborted. The statement itself may still finish on the server: the
 * worker treats an aborted unsafe step as possibly applied.
 */
async function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // The loser of the race below must not become an unhandled rejection.
  work.catch(() => undefined);
  if (signal.aborted) throw abortError(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
