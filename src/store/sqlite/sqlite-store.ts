import type { Store, StoreCapabilities } from '../store.js';
import { createAskOps } from './asks.js';
import { createAttemptLog } from './attempt-log.js';
import { createCallOps } from './calls.js';
import { createClaimOps } from './claim.js';
import { createEnqueue } from './enqueue.js';
import { createHousekeepingOps } from './housekeeping.js';
import { createJournalOps } from './journal.js';
import { createLeaseWriteOps } from './lease-writes.js';
import { applyMigrations, loadSqliteMigrations } from './migrate.js';
import { ChangeNotifier } from './notify.js';
import { openDatabase, type SqliteDatabase, type SqliteSynchronous } from './open.js';
import { createReleaseOps } from './releases.js';
import { createVaultOps } from './vault.js';
import { checkSchema } from './schema-check.js';
import { withBusyRetry } from './busy-retry.js';
import { GroupCommit } from './group-commit.js';
import { Checkpointer, SAFETY_VALVE_PAGES } from './checkpointer.js';

export interface SqliteStoreOptions {
  /** Database file, or ':memory:' (unit tests only: nothing else can see it). */
  path: string;
  /** NORMAL (default) survives process crashes; FULL also survives power loss. */
  synchronous?: SqliteSynchronous;
  /** How often other processes' commits are looked for while someone listens (ms, default 2). */
  pollIntervalMs?: number;
  /**
   * Checkpoint the WAL from a background thread rather than inside commits (checkpointer.ts): for the
   * process that makes most of the writes (the gateway under `serve`).
   */
  backgroundCheckpoints?: boolean;
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
    enqueue: createEnqueue(db, attempts, changed),
    calls: createCallOps(db, attempts, changed),
    claims: createClaimOps(db, attempts, changed),
    journal,
    leases: createLeaseWriteOps(db, attempts, changed, journal.applyWrites),
    asks: createAskOps(db, attempts, changed, journal.applyWrites),
    housekeeping: createHousekeepingOps(db),
    vault: createVaultOps(db),
  };
}

/**
 * The SQLite Store. better-sqlite3 is synchronous; every method still returns a promise so callers are
 * written once for every backend. Each write is one (IMMEDIATE) transaction with the clock read inside.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const db = openDatabase(options.path, { synchronous: options.synchronous });
  const checkpointer =
    options.backgroundCheckpoints && options.path !== ':memory:'
      ? new Checkpointer({ file: options.path, synchronous: options.synchronous ?? 'NORMAL' })
      : null;
  if (checkpointer) db.pragma(`wal_autocheckpoint = ${SAFETY_VALVE_PAGES}`);
  const notifier = new ChangeNotifier(db, options.pollIntervalMs ?? 2);
  let ops: ReturnType<typeof createOps> | undefined;
  // Statements are prepared once, on first use: before migrate() the tables they name do not exist.
  const use = () => (ops ??= createOps(db, () => notifier.changed()));
  let closed = false;
  // Writes of one event-loop turn share a transaction (group commit); reads run directly.
  const group = new GroupCommit(db);

  return {
    kind: 'sqlite',
    capabilities: SQLITE_CAPABILITIES,
    migrate: () => withBusyRetry(() => applyMigrations(db, loadSqliteMigrations())),
    checkSchema: async () => checkSchema(db, loadSqliteMigrations()),
    ping: async () => void db.prepare('SELECT 1').get(),
    async close() {
      if (closed) return;
      closed = true;
      notifier.close();
      await checkpointer?.close();
      db.close();
    },

    createRelease: (input) => group.run(() => use().releases.createRelease(input)),
    getActiveRelease: (workspace) => withBusyRetry(() => use().releases.getActiveRelease(workspace)),
    getActiveReleaseId: (workspace) => withBusyRetry(() => use().releases.getActiveReleaseId(workspace)),
    getRelease: (id) => withBusyRetry(() => use().releases.getRelease(id)),
    listReleases: (workspace, limit) => withBusyRetry(() => use().releases.listReleases(workspace, limit)),
    activateRelease: (workspace, releaseId) =>
      group.run(() => use().releases.activateRelease(workspace, releaseId)),

    enqueue: (input) => group.runAtomic(() => use().enqueue(input)),
    getCall: (id) => withBusyRetry(() => use().calls.getCall(id)),
    getCalls: (ids, statuses) => withBusyRetry(() => use().calls.getCalls(ids, statuses)),
    listCalls: (filter) => withBusyRetry(() => use().calls.listCalls(filter)),
    cancel: (id, reason) => group.run(() => use().calls.cancel(id, reason)),
    requeue: (id) => group.run(() => use().calls.requeue(id)),
    countByStatus: (workspace) => withBusyRetry(() => use().calls.countByStatus(workspace)),
    queueDepth: () => withBusyRetry(() => use().calls.queueDepth()),

    claim: async (input) =>
      (await withBusyRetry(() => use().claims.hasRunnable()))
        ? group.run(() => use().claims.claim(input))
        : [],
    reclaimExpired: async (input) =>
      (await withBusyRetry(() => use().claims.hasExpired()))
        ? group.run(() => use().claims.reclaimExpired(input))
        : [],
    heartbeat: (id, token, leaseMs) => group.run(() => use().leases.heartbeat(id, token, leaseMs)),
    settle: (id, token, settlement, journal) =>
      group.runAtomic(() => use().leases.settle(id, token, settlement, journal)),
    release: (id, token) => group.run(() => use().leases.release(id, token)),

    suspend: (id, token, ask, journal = []) => group.run(() => use().asks.suspend(id, token, ask, journal)),
    getAsk: (token) => withBusyRetry(() => use().asks.getAsk(token)),
    getOpenAsk: (id) => withBusyRetry(() => use().asks.getOpenAsk(id)),
    answerAsk: (token, answers) => group.run(() => use().asks.answerAsk(token, answers)),
    expireAsks: async () =>
      (await withBusyRetry(() => use().asks.hasExpired())) ? group.run(() => use().asks.expireAsks()) : [],

    startStep: (id, token, step, journal) =>
      group.run(() => use().journal.startStep(id, token, step, journal)),
    appendJournal: (id, token, journal) => group.run(() => use().journal.appendJournal(id, token, journal)),
    finishStep: (id, token, entryId, finish) =>
      group.run(() => use().journal.finishStep(id, token, entryId, finish)),
    listJournal: (id) => withBusyRetry(() => use().journal.listJournal(id)),
    listAttempts: (id) => withBusyRetry(() => use().attempts.list(id)),

    putConnection: (input) => group.run(() => use().vault.putConnection(input)),
    getConnection: (workspace, name) => withBusyRetry(() => use().vault.getConnection(workspace, name)),
    listConnections: (workspace) => withBusyRetry(() => use().vault.listConnections(workspace)),
    deleteConnection: (workspace, name) => group.run(() => use().vault.deleteConnection(workspace, name)),
    listSealed: () => withBusyRetry(() => use().vault.listSealed()),
    reseal: (changes) => group.run(() => use().vault.reseal(changes)),
    getToken: (connectionId) => withBusyRetry(() => use().vault.getToken(connectionId)),
    beginTokenRefresh: (input) => group.run(() => use().vault.beginTokenRefresh(input)),
    saveToken: (input) => group.run(() => use().vault.saveToken(input)),
    abandonTokenRefresh: (connectionId, owner) =>
      group.run(() => use().vault.abandonTokenRefresh(connectionId, owner)),

    onChange: (listener) => notifier.subscribe(listener),
    nextWakeAt: () => withBusyRetry(() => use().housekeeping.nextWakeAt()),
    prune: (input) => group.run(() => use().housekeeping.prune(input)),
  };
}
