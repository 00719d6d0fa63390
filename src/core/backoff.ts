/** Backoff settings for retrying a retry-safe failure. */
export interface BackoffPolicy {
  /** First delay in ms. */
  initialMs: number;
  /** Growth factor per attempt. */
  factor: number;
  /** Upper bound of one delay in ms. */
  maxMs: number;
  /** Share of the delay randomised, 0..1 ("full jitter" at 1). */
  jitter: number;
}

/** Capped exponential backoff with jitter; `attempt` counts from 1 (the delay before the 2nd try). */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const exp = policy.initialMs * Math.pow(policy.factor, Math.max(0, attempt - 1));
  const capped = Math.min(policy.maxMs, exp);
  const jitter = capped * policy.jitter * random();
  return Math.round(capped - jitter);
}
