import { createHash } from 'node:crypto';
import pg from 'pg';
import { StoreUnavailableError as BaseStoreUnavailableError } from '../store-errors.js';

/**
 * The database clock in integer milliseconds since the epoch: every lease, expiry and run-after decision
 * uses it, never a caller's clock. `now()` is the transaction's start, so one statement or transaction
 * sees one instant, as a SQLite transaction sees one `Date.now()`.
 */
export const NOW = `floor(extract(epoch FROM now()) * 1000)::bigint`;

/** The same instant as an ISO-8601 UTC string (for audit remarks). */
export const NOW_ISO = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const INT8_OID = 20;

/** BIGINT arrives as a number (times in ms and ids stay far below 2^53), as better-sqlite3 returns it. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Connection settings shared by the pool and the listening connection. */
export function clientConfig(url: string, connectTimeoutMs: number): pg.ClientConfig {
  return {
    connectionString: url,
    types,
    application_name: 'switchyard',
    // A dead peer (a failed-over server, a half-open socket) is noticed by the OS, not only on timeout.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: connectTimeoutMs,
  };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

/**
 * The store could not reach PostgreSQL (refused, reset, shut down, no answer within the query timeout).
 * The operation may or may not have been applied if the connection broke (or went silent) mid-statement;
 * nothing is retried behind the caller's back except reads and statements that provably never started.
 */
export class StoreUnavailableError extends BaseStoreUnavailableError {
  constructor(url: string, cause: unknown) {
    super(`PostgreSQL store unavailable (${redactUrl(url)}): ${messageOf(cause)}`, { cause });
  }
}

/**
 * A statement got no answer within the query timeout: the connection is presumed dead (half-open: the
 * peer vanished without a reset) and is destroyed, never handed to the next caller. The statement may
 * still have run, and committed, on the server: a timed-out write has an unknown outcome.
 */
export class QueryTimeoutError extends Error {
  constructor(timeoutMs: number, cause: unknown) {
    super(
      `no answer within ${timeoutMs} ms (query timeout); the connection was dropped and the statement may or may not have been applied`,
      { cause },
    );
    this.name = 'QueryTimeoutError';
  }
}

/** pg's own message when a query's `query_timeout` passes (pg/lib/client.js). */
const PG_QUERY_TIMEOUT = 'Query read timeout';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or shutting down)
  '57P01',
  '57P02',
  '57P03',
]);

/** A failure of the connection rather than of the statement. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof QueryTimeoutError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/** Deadlock or serialization failure: the statement or transaction was rolled back whole and may run again. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

export type Row = object;

/**
 * What the store's operations query through: the pool, with errors made clear and safe retries. Every
 * statement is bounded by the query timeout (see `createDb`); one that times out fails with a
 * StoreUnavailableError (its cause a QueryTimeoutError) and its connection is destroyed.
 */
export interface Db {
  /**
   * One statement (atomic on its own). Retried only on deadlock or serialization failure, never after a
   * broken connection or a timeout (it may have been applied).
   */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A read: also retried once when the connection broke or timed out (reading twice is harmless). */
  read<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Statements in one transaction on one connection, committed when `fn` resolves. `unbounded`: no
   * query timeout on its statements after BEGIN (migrations: DDL, and waiting for another migrator's
   * advisory lock). A COMMIT that timed out or broke has an unknown outcome.
   */
  transaction<T>(fn: (q: Querier) => Promise<T>, options?: { unbounded?: boolean }): Promise<T>;
  readonly pool: pg.Pool;
  /** Backend process ids of this pool's connections (to tell own notifications from others'). */
  readonly backendPids: ReadonlySet<number>;
  readonly url: string;
}

export type Querier = <R extends Row = Row>(sql: string, params?: readonly unknown[]) => Promise<R[]>;

const ATTEMPTS = 4;

/** feature_not_supported: a prepared statement's cached plan no longer fits the schema. */
const STALE_PLAN = '0A000';

/** A stable name per statement text (pg prepares a named statement once per connection). */
function statementName(sql: string): string {
  return `sy_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
}

/** A transaction that failed before BEGIN completed: nothing of it ran. */
class NotStarted extends Error {
  constructor(cause: unknown) {
    super('the transaction did not start', { cause });
  }
}

export interface DbOptions {
  poolSize: number;
  connectTimeoutMs: number;
  /**
   * How long one statement may go unanswered before its connection is given up (ms; 0: no limit). The
   * store's statements take milliseconds; this bounds a query on a half-open connection (a peer that
   * vanished without a reset, which TCP keepalive takes minutes to notice, or never while it still ACKs).
   */
  queryTimeoutMs: number;
}

export function createDb(url: string, options: DbOptions): Db {
  const pool = new pg.Pool({ ...clientConfig(url, options.connectTimeoutMs), max: options.poolSize });
  const timeoutMs = options.queryTimeoutMs > 0 ? options.queryTimeoutMs : undefined;
  const backendPids = new Set<number>();
  const pidOf = (client: pg.PoolClient) => (client as unknown as { processID?: number }).processID;
  pool.on('connect', (client) => {
    const pid = pidOf(client);
    if (pid !== undefined) backendPids.add(pid);
  });
  pool.on('remove', (client) => {
    const pid = pidOf(client);
    if (pid !== undefined) backendPids.delete(pid);
  });
  // An idle connection that breaks (the server restarted) is dropped by the pool; without a listener the
  // 'error' event would crash the process.
  pool.on('error', () => undefined);

  const clear = (error: unknown): unknown => {
    const cause = error instanceof NotStarted ? error.cause : error;
    return isConnectionError(cause) ? new StoreUnavailableError(url, cause) : cause;
  };

  async function attempt<T>(run: () => Promise<T>, retryBroken: boolean): Promise<T> {
    for (let tries = 1; ; tries++) {
      try {
        return await run();
      } catch (error) {
        // A read may run again; so may a transaction whose connection failed before it began (a pooled
        // connection the server had dropped). Anything else might have been applied: it is reported.
        const broken = error instanceof NotStarted || (retryBroken && isConnectionError(error));
        const again = tries < ATTEMPTS && (isRetryable(error) || (broken && tries === 1));
        if (!again) throw clear(error);
        await new Promise((resolve) => setTimeout(resolve, tries * 5 * Math.random()));
      }
    }
  }

  /**
   * The statement as pg's query config: with pg's `query_timeout` unless unbounded, and, when it has
   * parameters, a name, so each connection parses and plans it once and reuses the plan (the claim
   * statement plans in about 1 ms and runs in less). `prepared: false` sends it unnamed.
   */
  const statement = (
    sql: string,
    params: readonly unknown[] | undefined,
    bounded: boolean,
    prepared = true,
  ) => ({
    text: sql,
    values: params as unknown[] | undefined,
    ...(prepared && params !== undefined ? { name: statementName(sql) } : {}),
    ...(bounded && timeoutMs !== undefined ? { query_timeout: timeoutMs } : {}),
  });

  /**
   * Runs a statement prepared; when the server refuses the cached plan because the schema changed under
   * it (a newer build migrated while this process ran: "cached plan must not change result type"),
   * nothing was executed, and it runs again unnamed.
   */
  const preparedOrPlain = async <T>(send: (prepared: boolean) => Promise<T>): Promise<T> => {
    try {
      return await send(true);
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== STALE_PLAN) throw error;
      return send(false);
    }
  };

  /** pg's timeout error as ours (the rest unchanged). */
  const timedOut = (error: unknown): unknown =>
    error instanceof Error && error.message === PG_QUERY_TIMEOUT
      ? new QueryTimeoutError(timeoutMs ?? 0, error)
      : error;

  // pool.query releases its client with the error on any failure, and pg-pool destroys a client released
  // with an error: on a timeout the client still has the unanswered query active, so `end()` destroys the
  // socket at once. The connection is never handed to the next caller.
  const run = async <R extends Row>(sql: string, params?: readonly unknown[]) => {
    try {
      return (await preparedOrPlain((prepared) => pool.query(statement(sql, params, true, prepared))))
        .rows as R[];
    } catch (error) {
      throw timedOut(error);
    }
  };

  async function inTransaction<T>(fn: (q: Querier) => Promise<T>, bounded: boolean): Promise<T> {
    const client = await pool.connect().catch((error: unknown) => {
      throw new NotStarted(error);
    });
    const on = (limit: boolean) =>
      async function send<R extends Row>(sql: string, params?: readonly unknown[]) {
        try {
          return (await preparedOrPlain((prepared) => client.query(statement(sql, params, limit, prepared))))
            .rows as R[];
        } catch (error) {
          throw timedOut(error);
        }
      };
    const send = on(bounded);
    try {
      // Always bounded: a pooled connection that went silent is found here, before anything ran.
      await on(true)('BEGIN');
    } catch (error) {
      client.release(error as Error);
      throw new NotStarted(error);
    }
    let broken: Error | undefined;
    try {
      const result = await fn(send);
      await send('COMMIT');
      return result;
    } catch (error) {
      // A broken or silent connection is not asked to roll back (the server does when it drops it).
      if (isConnectionError(error)) broken = error as Error;
      else await send('ROLLBACK').catch((e: Error) => (broken = e));
      throw error;
    } finally {
      // A connection that failed is destroyed rather than handed to the next caller.
      client.release(broken);
    }
  }

  return {
    pool,
    backendPids,
    url,
    query: (sql, params) => attempt(() => run(sql, params), false),
    read: (sql, params) => attempt(() => run(sql, params), true),
    transaction: (fn, txOptions) => attempt(() => inTransaction(fn, !txOptions?.unbounded), false),
  };
}
