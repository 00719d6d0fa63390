import { describe } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { asksContract } from './contract/asks.js';
import { callsContract } from './contract/calls.js';
import { enqueueContract } from './contract/enqueue.js';
import { fairnessContract } from './contract/fairness.js';
import { useHarness } from './contract/fixtures.js';
import { housekeepingContract } from './contract/housekeeping.js';
import { handOffContract } from './contract/hand-off.js';
import { journalContract } from './contract/journal.js';
import { leasesContract } from './contract/leases.js';
import { recoveryContract } from './contract/recovery.js';
import { releasesContract } from './contract/releases.js';
import { schemaContract } from './contract/schema.js';
import { vaultContract } from './contract/vault.js';

/**
 * What a backend's test file provides: a fresh, unmigrated store on its own database, plus the few raw
 * operations the contract needs from outside the Store (time travel, sabotage). Nothing test-only lives
 * in the Store itself.
 */
export interface StoreHarness {
  store: Store;
  /** Closes the store, its peers and the backdoor, and deletes the database. */
  cleanup: () => Promise<void>;
  /** Another Store on the same database: stands in for a second process. Closed by `cleanup`. */
  openPeer(): Promise<Store>;
  backdoor: StoreBackdoor;
}

/** Raw writes made beside the Store, as an operator with a SQL shell could. Times are ms since epoch. */
export interface StoreBackdoor {
  setCallTimes(
    callId: string,
    times: { leaseExpiresAt?: number; runAfter?: number; settledAt?: number; createdAt?: number },
  ): Promise<void>;
  setKeyExpiry(workspace: string, tool: string, key: string, expiresAt: number): Promise<void>;
  setMigrationChecksum(version: number, checksum: string): Promise<void>;
  dropColumn(table: string, column: string): Promise<void>;
  addColumn(table: string, column: string): Promise<void>;
  dropTable(table: string): Promise<void>;
}

/**
 * The behaviour every Store backend must show, written against the Store interface only. Beyond the
 * interface docs it expects FIFO among calls enqueued in the same millisecond (claims and listings break
 * ties by insertion order).
 */
export function describeStoreContract(name: string, makeStore: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    describe('schema and migrations', () => schemaContract(makeStore));
    describe('with a migrated store', () => {
      const harness = useHarness(makeStore, { migrate: true });
      describe('releases', () => releasesContract(harness));
      describe('enqueue and idempotency', () => enqueueContract(harness));
      describe('claims, leases and fencing', () => leasesContract(harness));
      describe('fair claims and concurrency limits', () => fairnessContract(harness));
      describe('crash recovery, stale holders and retries', () => recoveryContract(harness));
      describe('cancel, requeue and listing', () => callsContract(harness));
      describe('journal', () => journalContract(harness));
      describe('hand-off and write-behind journal', () => handOffContract(harness));
      describe('change signal and housekeeping', () => housekeepingContract(harness));
      describe('asks: waiting for client input', () => asksContract(harness));
      describe('vault: connections and tokens', () => vaultContract(harness));
    });
  });
}
