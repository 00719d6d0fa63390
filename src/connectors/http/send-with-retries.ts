import { backoffDelay, type BackoffPolicy } from '../../core/backoff.js';
import { sleep } from '../../core/clock.js';
import { CallError } from '../../core/errors.js';
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
  try {
    const response = await sendOnce(req, effect, options);
    return responseFailure(response, effect, Date.now()) ?? response;
  } catch (error) {
    if (error instanceof FailedTry) return error.failure;
    throw error;
  }
}

/**
 * One try with its own timeout and no retries, for connectors that read the body of error responses
 * themselves (vendor error shapes): resolves with any response, whatever its status; rejects with the
 * mapped CallError of a transport failure or timeout, or the abort error once `options.signal` aborts.
 */
export async function sendOnce(
  req: PreparedRequest,
  effect: StepEffect,
  options: Omit<RetryOptions, 'retries'>,
): Promise<RawResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  try {
    return await sendFollowingRedirects(req, { ...options, signal });
  } catch (error) {
    if (options.signal.aborted) throw abortError(options.signal);
    if (timeout.aborted) throw new FailedTry(timeoutFailure(options.timeoutMs, effect));
    throw new FailedTry(transportFailure(error, effect));
  }
}

/** A transport failure or timeout of `sendOnce`: a CallError that also carries whether to try again. */
class FailedTry extends CallError {
  constructor(readonly failure: TryFailure) {
    super(failure.error.toToolError(), { cause: failure.error.cause });
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
