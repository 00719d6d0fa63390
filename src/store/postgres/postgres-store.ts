import type { Store, StoreCapabilities } from '../store.js';
import { createAskOps } from './asks.js';
import { createCallOps } from './calls.js';
import { createClaimOps } from './claim.js';
import { clientConfig, createDb } from './db.js';
import { createEnqueue } from './enqueue.js';
import { createHousekeepingOps } from './housekeeping.js';
import { createJournalOps } from './journal.js';
import { createLeaseWriteOps } from './lease-writes.js';
import { applyMigrations, loadPostgresMigrations } from './migrate.js';
import { PostgresChangeNotifier } from './notify.js';
import { createReleaseOps } from './releases.js';
import { SchemaChecker } from './schema-check.js';
import { createVaultOps } from './vault.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq-style parameters such as sslmode accepted). */
  url: string;
  /** Connections in the pool (default 10). The change listener uses one more, once someone listens. */
  poolSize?: number;
  /** How long a new connection may take before the operation fails (ms, default 5000). */
  connectTimeoutMs?: number;
  /** The fallback poll behind LISTEN/NOTIFY, while someone listens (ms, default 1000). */
  fallbackPollMs?: number;
  /**
   * How long one statement may go unanswered before it fails with a StoreUnavailableError and its
   * connection is destroyed (ms, default 5000; 0: no limit). Migrations are not bounded by it.
   */
  queryTimeoutMs?: number;
}

/** The store's statements take milliseconds; this only catches a connection that went silent. */
export const DEFAULT_QUERY_TIMEOUT_MS = 5_000;

const POSTGRES_CAPABILITIES: StoreCapabilities = {
  pushNotifications: {
    value: true,
    reason: "other processes' commits arrive by LISTEN/NOTIFY (a trigger on calls notifies at commit)",
  },
  multiMachine: {
    value: true,
    reason: 'every process talks to the server over the network; claims use FOR UPDATE SKIP LOCKED',
  },
};

/**
 * The PostgreSQL Store. Each operation is one statement where it can be (fence, write and audit in one
 * round trip, atomic without an explicit transaction), on a connection pool; times come from the
 * database clock. While the server is down, operations fail with a StoreUnavailableError; the pool
 * connects again once it is back, and the change listener reconnects and LISTENs again.
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const db = createDb(options.url, {
    poolSize: options.poolSize ?? 10,
    connectTimeoutMs,
    queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
  });
  const notifier = new PostgresChangeNotifier({
    client: clientConfig(options.url, connectTimeoutMs),
    isOwnBackend: (pid) => db.backendPids.has(pid),
    fallbackPollMs: options.fallbackPollMs ?? 1_000,
    minGapMs: 5,
    reconnectMs: { min: 100, max: 5_000 },
  });
  const changed = () => notifier.changed();
  const releases = createReleaseOps(db);
  const calls = createCallOps(db, changed);
  const claims = createClaimOps(db, changed);
  const journal = createJournalOps(db);
  const leases = createLeaseWriteOps(db, changed);
  const housekeeping = createHousekeepingOps(db);
  const schema = new SchemaChecker(db, loadPostgresMigrations);
  let closed: Promise<void> | undefined;

  return {
    kind: 'postgres',
    capabilities: POSTGRES_CAPABILITIES,
    // Unbounded: DDL may take long, and so may waiting for another process's migration lock.
    migrate: () =>
      db.transaction((q) => applyMigrations(q, loadPostgresMigrations(), { lock: true }), {
        unbounded: true,
      }),
    checkSchema: () => schema.check(),
    ping: async () => void (await db.read('SELECT 1')),
    close: () => (closed ??= notifier.close().then(() => db.pool.end())),

    ...releases,
    enqueue: createEnqueue(db, changed),
    ...calls,
    ...claims,
    ...leases,
    ...createAskOps(db, changed),
    ...journal,
    ...createVaultOps(db),
    onChange: (listener) => notifier.subscribe(listener),
    ...housekeeping,
  };
}
