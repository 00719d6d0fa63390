/**
 * How an emulator behaves beyond its API: added latency and injected faults. Set at start and
 * changeable at run time (`PUT /_sandbox/behaviour`), so tests can turn faults on for one call.
 */
export interface Behaviour {
  /** Added latency per request, milliseconds, uniformly drawn from [min, max]. */
  latencyMs: [number, number];
  faults: FaultShares;
}

/** Shares (0..1) of requests that fail each way; checked in this order, independently drawn. */
export interface FaultShares {
  /** Answer 500/503 before executing. */
  error5xx: number;
  /** Answer 429 with Retry-After before executing. */
  rateLimited: number;
  retryAfterSeconds: number;
  /** Never answer (the client times out); the request is not executed. */
  timeout: number;
  /** Execute, then drop the connection without a response ("executed but the response was lost"). */
  lostResponse: number;
}

export type LatencyProfile = 'fast' | 'realistic';

export const NO_FAULTS: FaultShares = {
  error5xx: 0,
  rateLimited: 0,
  retryAfterSeconds: 1,
  timeout: 0,
  lostResponse: 0,
};

/** The case study's figures: Salesforce 800–1,000 ms a call, Stripe 600–2,000 ms; Twilio a few hundred. */
const REALISTIC: Record<string, [number, number]> = {
  salesforce: [800, 1000],
  stripe: [600, 2000],
  twilio: [200, 400],
};

export function behaviourFor(
  system: string,
  profile: LatencyProfile,
  faults: Partial<FaultShares> = {},
): Behaviour {
  return {
    latencyMs: profile === 'realistic' ? (REALISTIC[system] ?? [0, 0]) : [0, 0],
    faults: { ...NO_FAULTS, ...faults },
  };
}

export function drawLatency(b: Behaviour): number {
  const [min, max] = b.latencyMs;
  return min + Math.random() * Math.max(0, max - min);
}
