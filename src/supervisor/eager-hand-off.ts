import type { GatewayLoad, HandOff, HandOffSlot } from '../gateway/hand-off.js';

/**
 * Eager execution: while the gateway serves one call at a time, the call it just enqueued runs on a
 * worker inside the gateway's own process (`local`, claimed in the enqueue's transaction like any
 * hand-off); otherwise it goes to the worker processes (`remote`).
 *
 * An idle gateway's call then crosses no process boundary: it saves two wake-ups of a sleeping process
 * (the dispatch and the settlement report), which on a small machine are a third of a short call's
 * latency. Under load the gateway's process is the busier one, so calls go to the worker processes:
 * "one call at a time" means no other call in flight now and, on average over the last calls, fewer
 * than half a call beside each (concurrent clients arrive in convoys, and a gateway that just answered
 * a convoy is idle only until the next one lands).
 *
 * The call is exactly as durable either way: committed and leased before it runs, journaled step by
 * step, settled with its fencing token. What differs is isolation: if this process dies during an eager
 * call, its clients' connections go too (they would with any gateway death) and, once its lease
 * expires, the call is resumed from its journal by whichever worker claims it; the client's retry with
 * the same idempotency key attaches to it. Configurable: `workers.eager` (default on).
 */
export function eagerHandOff(local: HandOff, remote: HandOff): HandOff {
  let recentOthers = 0;
  return {
    reserve(load: GatewayLoad): HandOffSlot | null {
      recentOthers += (load.othersInFlight - recentOthers) * SMOOTHING;
      if (load.othersInFlight === 0 && recentOthers < 0.5) {
        const slot = local.reserve(load);
        if (slot) return slot;
      }
      return remote.reserve(load);
    },
  };
}

/** Weight of the newest call in the running average of calls in flight beside each (about the last 20). */
const SMOOTHING = 0.1;
