import { CallError } from '../../core/errors.js';
import type { StepEffect } from '../../store/store.js';
import { parseRetryAfter } from './retry-after.js';
import type { RawResponse } from './send.js';
import { SsrfBlockedError } from './ssrf-guard.js';

/** A failed try: the error to report, and whether another try inside the action may follow. */
export interface TryFailure {
  error: CallError;
  retry: boolean;
}

/** Longest Retry-After passed on to the worker; a server asking for more is capped, not obeyed. */
const RETRY_AFTER_CAP_MS = 60 * 60_000;

// The socket never connected: nothing was sent, so even an unsafe request may be tried again.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Maps a response to a failure, or null when it is a success (2xx, or a 3xx that was not followed).
 * 429 is RATE_LIMITED and 408/425 are HTTP_<status>, all retry-safe (the server refused the request
 * without acting on it). Other 4xx are HTTP_<status> and final, 409 included: a conflict is the
 * downstream's state, and repeating the same request meets the same state. 5xx is UPSTREAM_UNAVAILABLE,
 * retry-safe unless the effect is unsafe (the server may have acted before failing).
 */
export function responseFailure(res: RawResponse, effect: StepEffect, now: number): TryFailure | null {
  const { status } = res;
  if (status < 400) return null;
  const retryAfter = parseRetryAfter(res.headers['retry-after'], now);
  const retryAfterMs = retryAfter === null ? undefined : Math.min(retryAfter, RETRY_AFTER_CAP_MS);
  const repeatable = effect !== 'unsafe';
  // The upstream's status goes to `details`, not `status`: that one is what our REST face answers, and an
  // upstream 404 is not a 404 of the tool.
  const fail = (code: string, message: string, retrySafe: boolean): TryFailure => ({
    error: new CallError({ code, message, retrySafe, retryAfterMs, details: { upstream_status: status } }),
    retry: retrySafe && repeatable,
  });
  if (status === 429) return fail('RATE_LIMITED', 'rate limited by the upstream (HTTP 429)', true);
  if (status === 408 || status === 425) {
    return fail(`HTTP_${status}`, `the upstream refused the request (HTTP ${status})`, true);
  }
  if (status < 500) return fail(`HTTP_${status}`, `the upstream answered HTTP ${status}`, false);
  return fail(
    'UPSTREAM_UNAVAILABLE',
    `the upstream answered HTTP ${status}${maybeApplied(repeatable)}`,
    repeatable,
  );
}

/** Maps a thrown error of one try; errors that are not transport errors are rethrown as they are. */
export function transportFailure(cause: unknown, effect: StepEffect): TryFailure {
  if (cause instanceof CallError) return { error: cause, retry: false };
  const fail = (code: string, message: string, retrySafe: boolean, retry: boolean): TryFailure => ({
    error: new CallError({ code, message, retrySafe }, { cause }),
    retry,
  });
  if (cause instanceof SsrfBlockedError) return fail('SSRF_BLOCKED', cause.message, false, false);
  const code = errorCode(cause);
  if (code === undefined) throw cause;
  if (code === 'UND_ERR_INVALID_ARG') {
    return fail('HTTP_INVALID_REQUEST', (cause as Error).message, false, false);
  }
  const repeatable = NOT_SENT_CODES.has(code) || effect !== 'unsafe';
  const message = `the upstream could not be reached (${code})${maybeApplied(repeatable)}`;
  return fail('UPSTREAM_UNAVAILABLE', message, repeatable, repeatable);
}

export function timeoutFailure(timeoutMs: number, effect: StepEffect): TryFailure {
  const repeatable = effect !== 'unsafe';
  const message = `the upstream did not answer within ${timeoutMs} ms${maybeApplied(repeatable)}`;
  return {
    error: new CallError({ code: 'STEP_TIMEOUT', message, retrySafe: repeatable }),
    retry: repeatable,
  };
}

/** Tells whoever reads the error (a person, a model) why it is not retry-safe. */
function maybeApplied(repeatable: boolean): string {
  return repeatable ? '' : '; the request may have been applied';
}

/** Node and undici put the code on the error, its cause, or (connection attempts per address) its errors. */
function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  return errorCode(error.cause);
}
