import { backoffDelay, type BackoffPolicy } from '../../core/backoff.js';
import { sleep } from '../../core/clock.js';
import type { StepEffect } from '../../store/store.js';
import { abortError } from '../abort-error.js';
import { responseFailure, timeoutFailure, transportFailure, type TryFailure } from './failure.js';
import type { PreparedRequest } from './request-input.js';
import { sendFollowingRedirects, type RawResponse, type SendOptions } from './send.js';

export interface RetryOptions extends Omit<SendOptions, 'signal'> {
  /** The step's signal (step timeout, cancellation, shutdown). */
  signal: AbortSignal;
  timeoutMs: number;
  /** Extra tries after the first. */
  retries: number;
}

const BACKOFF: BackoffPolicy = { initialMs: 200, factor: 2, maxMs: 5_000, jitter: 0.5 };
/**
 * Longest wait spent inside the action. A longer Retry-After ends the action with the error and its
 * retryAfterMs, and the worker's retry (which holds no socket and survives restarts) waits it out.
 */
const MAX_INLINE_WAIT_MS = 10_000;

/**
 * Sends with per-try timeouts, retrying transient failures (5xx, 429, 408, network errors, timeouts)
 * with capped exponential backoff or the server's Retry-After, whichever is longer. Requests that may
 * have been applied are not repeated when their effect is unsafe: see `failure.ts`.
 */
export async function sendWithRetries(
  req: PreparedRequest,
  effect: StepEffect,
  options: RetryOptions,
): Promise<{ response: RawResponse; tries: number }> {
  for (let tries = 1; ; tries++) {
    const outcome = await tryOnce(req, effect, options);
    if ('status' in outcome) return { response: outcome, tries };
    const { error, retry } = outcome;
    if (!retry || tries > options.retries) throw error;
    const wait = Math.max(backoffDelay(BACKOFF, tries), error.retryAfterMs ?? 0);
    if (wait > MAX_INLINE_WAIT_MS) throw error;
    await waitUntil(Date.now() + wait, options.signal);
  }
}

async function tryOnce(
  req: PreparedRequest,
  effect: StepEffect,
  options: RetryOptions,
): Promise<RawResponse | TryFailure> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  try {
    const response = await sendFollowingRedirects(req, { ...options, signal });
    return responseFailure(response, effect, Date.now()) ?? response;
  } catch (error) {
    if (options.signal.aborted) throw abortError(options.signal);
    if (timeout.aborted) return timeoutFailure(options.timeoutMs, effect);
    return transportFailure(error, effect);
  }
}

/** Sleeps until the wall clock reaches `at`: a timer may fire a little early, a Retry-After must not be cut short. */
async function waitUntil(at: number, signal: AbortSignal): Promise<void> {
  try {
    for (let left = at - Date.now(); left > 0; left = at - Date.now()) await sleep(left, signal);
  } catch {
    throw abortError(signal);
  }
}
