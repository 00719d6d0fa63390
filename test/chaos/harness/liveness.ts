/** The limits the chaos processes run with (short, so recovery happens in seconds), as env and as numbers. */
export const CHAOS_LIMITS = {
  leaseMs: 1500,
  heartbeatMs: 300,
  maxAttempts: 3,
  maxCrashes: 5,
  backoff: { initialMs: 50, factor: 2, maxMs: 2000, jitter: 0.5 },
  drainMs: 2000,
};

export const CHAOS_ENV: Record<string, string> = {
  SWITCHYARD_LIMITS_LEASE: `${CHAOS_LIMITS.leaseMs}ms`,
  SWITCHYARD_LIMITS_HEARTBEAT: `${CHAOS_LIMITS.heartbeatMs}ms`,
  SWITCHYARD_LIMITS_MAX_ATTEMPTS: String(CHAOS_LIMITS.maxAttempts),
  SWITCHYARD_LIMITS_MAX_CRASHES: String(CHAOS_LIMITS.maxCrashes),
  SWITCHYARD_LIMITS_BACKOFF_INITIAL: `${CHAOS_LIMITS.backoff.initialMs}ms`,
  SWITCHYARD_LIMITS_BACKOFF_MAX: `${CHAOS_LIMITS.backoff.maxMs}ms`,
  SWITCHYARD_LIMITS_DRAIN: `${CHAOS_LIMITS.drainMs}ms`,
};

/**
 * How long an acknowledged call may take to reach a terminal state: every attempt it can have (error
 * retries + crash recoveries + the last) each taking its work plus a lease expiry and a sweep, plus the
 * whole backoff, times a generous `multiple`, plus the scenario's own outage (`outageMs`: a restart, a
 * partition). A liveness bound, not a performance target.
 */
export function livenessBound(workMs: number, outageMs = 0, multiple = 4, limits = CHAOS_LIMITS): number {
  const attempts = limits.maxAttempts + limits.maxCrashes + 1;
  const perAttempt = workMs + limits.leaseMs + Math.max(50, limits.leaseMs / 2) + limits.heartbeatMs;
  let backoff = 0;
  for (let n = 0; n < limits.maxAttempts; n++)
    backoff += Math.min(limits.backoff.maxMs, limits.backoff.initialMs * limits.backoff.factor ** n);
  backoff *= 1 + limits.backoff.jitter;
  return multiple * (attempts * perAttempt + backoff) + outageMs;
}
