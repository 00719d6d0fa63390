/**
 * How many worker processes a queue needs. A pure function, so the same rule can be tested alone and
 * applied by the supervisor on one machine (KEDA applies its own form of it on Kubernetes: replicas =
 * ceil(depth / target), with `target` = concurrency × utilization, on the same depth query).
 */
export interface ScalingInput {
  /** Calls queued, running, or waiting to retry (QUEUE_DEPTH_SQL). */
  depth: number;
  /** Calls one worker process runs at once. */
  concurrency: number;
  /** Workers now. */
  current: number;
  min: number;
  max: number;
  /** Share of each worker's concurrency to aim for (0..1]; below 1 leaves headroom for bursts. */
  utilization: number;
  now: number;
  /** When the pool last grew / shrank (ms since epoch; 0 if never). */
  lastUpAt: number;
  lastDownAt: number;
  /** A change in the same direction waits this long after the last one. */
  upCooldownMs: number;
  /** Shrinking waits this long after any change, so a burst that pauses does not thrash the pool. */
  downCooldownMs: number;
}

export function desiredWorkers(input: ScalingInput): number {
  const perWorker = Math.max(1, Math.floor(input.concurrency * input.utilization));
  const needed = clamp(Math.ceil(input.depth / perWorker), input.min, input.max);
  if (needed > input.current) {
    return input.now - input.lastUpAt >= input.upCooldownMs ? needed : input.current;
  }
  if (needed < input.current) {
    const sinceChange = input.now - Math.max(input.lastUpAt, input.lastDownAt);
    // Shrink one step at a time: load that returns finds most of the pool still there.
    return sinceChange >= input.downCooldownMs ? input.current - 1 : input.current;
  }
  return input.current;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
