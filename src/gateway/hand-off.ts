import type { ClaimedCall } from '../store/store.js';

/**
 * The fast path from the gateway to a worker. When a worker has room, the gateway inserts a new call
 * already claimed for that worker (one transaction where enqueue + claim took two) and passes it over,
 * so the worker starts at once, without a wake-up, a probe or a claim. The queue stays the source of
 * truth: a worker that dies before or after the hand-off leaves a lease that expires, and the call is
 * reclaimed like any other; a worker that has no room when the call arrives gives it back to the queue.
 */
export interface HandOff {
  /**
   * A worker slot for one call, or null when no known worker has room (the call then waits in the queue).
   * `load` is what the gateway is doing besides this call (see supervisor/eager-hand-off.ts).
   */
  reserve(load: GatewayLoad): HandOffSlot | null;
}

export interface GatewayLoad {
  /** Other calls this gateway is submitting or waiting on right now. */
  othersInFlight: number;
}

export interface HandOffSlot {
  workerId: string;
  leaseMs: number;
  /** Passes over the call claimed for this slot's worker. */
  give(claimed: ClaimedCall): void;
  /** The slot went unused (the key found an existing call, or the enqueue failed). */
  cancel(): void;
}
