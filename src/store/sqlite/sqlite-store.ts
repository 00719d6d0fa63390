import type { Store, StoreCapabilities } from '../store.js';
import { createAttemptLog } from './attempt-log.js';
import { createCallOps } from './calls.js';
import { createClaimOps } from './claim.js';
import { createEnqueue } from './enqueue.js';
import { createHousekeepingOps } from './housekeeping.js';
import { createJournalOps } from './journal.js';
import { createLeaseWriteOps } from './lease-writes.js';
import { applyMigrations, loadMigrations } from './migrate.js';
import { ChangeNotifier } from './notify.js';
import { openDatabase, type SqliteDatabase, type SqliteSynchronous } from './open.js';
import { createReleaseOps } from './releases.js';
import { checkSchema } from './schema-check.js';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:' (unit tests only: nothing else can see it). */
  path: string;
  /** NORMAL (default) survives process crashes; FULL also survives power loss. */
  synchronous?: SqliteSynchronous;
  /** How often other processes' commits are looked for while someone listens (ms, default 2). */
  pollIntervalMs?: number;
}

const SQLITE_CAPABILITIES: StoreCapabilities = {
  pushNotifications: {
    value: false,
    reason: "other processes' commits are found by polling PRAGMA data_version",
  },
  multiMachine: {
    value: false,
    reason: 'WAL needs shared memory, so every process must be on the machine that holds the file',
  },
};

function createOps(db: SqliteDatabase, changed: () => void) {
  const attempts = createAttemptLog(db);
  const journal = createJournalOps(db);
  return {
    attempts,
    releases: createReleaseOps(db),
    enqueue: createEnqueue(db, changed),
    calls: createCallOps(db, attempts, changed),
    claims: createClaimOps(db, attempts, changed),
    journal,
    leases: createLeaseWriteOps(db, attempts, changed, journal.applyWrites),
    housekeeping: createHousekeepingOps(db),
  };
}

/**
 * The SQLite Store. better-sqlite3 is synchronous; every method still returns a promise so callers are
 * written once for every backend. Each write is one (IMMEDIATE) transaction with the clock read inside.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase(options.path, { synchronous: options.synchronous });
  const notifier = new ChangeNotifier(db, options.pollIntervalMs ?? 2);
  let ops: ReturnType<typeof createOps> | undefined;
  // Statements are prepared once, on first use: before migrate() the tables they name do not exist.
  const use = () => (ops ??= createOps(db, () => notifier.changed()));
  let closed = false;

  return {
    kind: 'sqlite',
    capabilities: SQLITE_CAPABILITIES,
    migrate: async () => applyMigrations(db, loadMigrations()),
    checkSchema: async () => checkSchema(db, loadMigrations()),
    ping: async () => void db.prepare('SELECT 1').get(),
    async close() {
      if (closed) return;
      closed = true;
      notifier.close();
      db.close();
    },

    createRelease: async (input) => use().releases.createRelease(input),
    getActiveRelease: async (workspace) => use().releases.getActiveRelease(workspace),
    getActiveReleaseId: async (workspace) => use().releases.getActiveReleaseId(workspace),
    getRelease: async (id) => use().releases.getRelease(id),
    listReleases: async (workspace, limit) => use().releases.listReleases(workspace, limit),
    activateRelease: async (workspace, releaseId) => use().releases.activateRelease(workspace, releaseId),

    enqueue: async (input) => use().enqueue(input),
    getCall: async (id) => use().calls.getCall(id),
    getCalls: async (ids) => use().calls.getCalls(ids),
    listCalls: async (filter) => use().calls.listCalls(filter),
    cancel: async (id, reason) => use().calls.cancel(id, reason),
    requeue: async (id) => use().calls.requeue(id),
    countByStatus: async (workspace) => use().calls.countByStatus(workspace),

    claim: async (input) => use().claims.claim(input),
    reclaimExpired: async (input) => use().claims.reclaimExpired(input),
    heartbeat: async (id, token, leaseMs) => use().leases.heartbeat(id, token, leaseMs),
    settle: async (id, token, settlement, journal) => use().leases.settle(id, token, settlement, journal),
    release: async (id, token) => use().leases.release(id, token),

    startStep: async (id, token, step, journal) => use().journal.startStep(id, token, step, journal),
    finishStep: async (id, token, entryId, finish) => use().journal.finishStep(id, token, entryId, finish),
    listJournal: async (id) => use().journal.listJournal(id),
    listAttempts: async (id) => use().attempts.list(id),

    onChange: (listener) => notifier.subscribe(listener),
    nextWakeAt: async () => use().housekeeping.nextWakeAt(),
    prune: async (input) => use().housekeeping.prune(input),
  };
}
