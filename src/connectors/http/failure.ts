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
  if (status === 429) {
    return {
      error: error('RATE_LIMITED', `rate limited by the upstream (HTTP 429)`, true, status, retryAfterMs),
      retry: repeatable,
    };
  }
  if (status === 408 || status === 425) {
    return {
      error: error(
        `HTTP_${status}`,
        `the upstream refused the request (HTTP ${status})`,
        true,
        status,
        retryAfterMs,
      ),
      retry: repeatable,
    };
  }
  if (status < 500)
    return {
      error: error(`HTTP_${status}`, `the upstream answered HTTP ${status}`, false, status),
      retry: false,
    };
  const message = repeatable
    ? `the upstream answered HTTP ${status}`
    : `the upstream answered HTTP ${status}; the request may have been applied`;
  return {
    error: error('UPSTREAM_UNAVAILABLE', message, repeatable, status, retryAfterMs),
    retry: repeatable,
  };
}

/** Maps a thrown error of one try; errors that are not transport errors are rethrown as they are. */
export function transportFailure(cause: unknown, effect: StepEffect): TryFailure {
  if (cause instanceof CallError) return { error: cause, retry: false };
  if (cause instanceof SsrfBlockedError) {
    return {
      error: new CallError({ code: 'SSRF_BLOCKED', message: cause.message, retrySafe: false }, { cause }),
      retry: false,
    };
  }
  const code = errorCode(cause);
  if (code === 'UND_ERR_INVALID_ARG') {
    return {
      error: new CallError(
        { code: 'HTTP_INVALID_REQUEST', message: describe(cause), retrySafe: false },
        { cause },
      ),
      retry: false,
    };
  }
  if (code === undefined) throw cause;
  const repeatable = NOT_SENT_CODES.has(code) || effect !== 'unsafe';
  const suffix = repeatable ? '' : '; the request may have been applied';
  const message = `the upstream could not be reached (${code})${suffix}`;
  return {
    error: new CallError({ code: 'UPSTREAM_UNAVAILABLE', message, retrySafe: repeatable }, { cause }),
    retry: repeatable,
  };
}

export function timeoutFailure(timeoutMs: number, effect: StepEffect): TryFailure {
  const repeatable = effect !== 'unsafe';
  const suffix = repeatable ? '' : '; the request may have been applied';
  return {
    error: error('STEP_TIMEOUT', `the upstream did not answer within ${timeoutMs} ms${suffix}`, repeatable),
    retry: repeatable,
  };
}

// The upstream's status goes to `details`, not to `status`: that one is what our REST face answers, and an
// upstream 404 is not a 404 of the tool.
function error(
  code: string,
  message: string,
  retrySafe: boolean,
  upstreamStatus?: number,
  retryAfterMs?: number,
): CallError {
  const details = upstreamStatus === undefined ? undefined : { upstream_status: upstreamStatus };
  return new CallError({ code, message, retrySafe, retryAfterMs, details });
}

/** Node and undici put the code on the error, its cause, or (connection attempts per address) its errors. */
function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  return errorCode(error.cause);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
