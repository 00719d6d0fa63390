import type Stripe from 'stripe';
import { CallError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { StepEffect } from '../../store/store.js';
import { abortError } from '../abort-error.js';
import { redactSecrets } from '../http/audit.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { SsrfBlockedError } from '../http/ssrf-guard.js';

const RETRY_AFTER_CAP_MS = 60 * 60_000;
/** How long to wait after a 409: Stripe is still running the first request with this key. */
const CONFLICT_RETRY_AFTER_MS = 1_000;

export function connectionInvalid(message: string): CallError {
  return new CallError({ code: 'CONNECTION_INVALID', message, retrySafe: false });
}

/**
 * Maps what a Stripe SDK call threw to what the action throws:
 * - the step's abort → its own error (timeout, cancellation), unchanged;
 * - 402 card errors → CARD_DECLINED (status 402, final), with Stripe's code and decline_code;
 * - idempotency_error 400 (the key was used with other parameters) → IDEMPOTENCY_KEY_REUSED (final);
 * - 409 (a request with this key is still running, or a concurrent update) → STRIPE_CONFLICT, retry-safe;
 * - 429 → RATE_LIMITED, retry-safe, honouring Retry-After;
 * - 401 → CONNECTION_AUTH_FAILED; 403 → PERMISSION_DENIED; 404 / resource_missing → NOT_FOUND;
 *   other 4xx → STRIPE_INVALID_REQUEST (final, with Stripe's code and param);
 * - 5xx and connection errors → UPSTREAM_UNAVAILABLE, timeouts → STEP_TIMEOUT, retry-safe unless the
 *   effect is unsafe (every Stripe write here is keyed) or Stripe says `Stripe-Should-Retry: false`;
 * - a request the SSRF guard refused → SSRF_BLOCKED.
 * Messages keep Stripe's words; the connection's secret key is scrubbed from them.
 */
export function stripeFailure(
  error: unknown,
  effect: StepEffect,
  signal: AbortSignal,
  secrets: readonly string[],
  now = Date.now(),
): unknown {
  if (signal.aborted) return abortError(signal);
  if (error instanceof CallError || !isStripeError(error)) return error;
  const repeatable = effect !== 'unsafe';
  const status = error.statusCode;
  const said = redactSecrets(`${error.code ?? error.rawType ?? error.type}: ${error.message}`, secrets);
  const details: JsonObject = { stripe_type: error.rawType ?? error.type };
  if (status !== undefined) details.upstream_status = status;
  if (error.code) details.stripe_code = error.code;
  if (error.decline_code) details.decline_code = error.decline_code;
  if (error.param) details.param = error.param;
  if (error.requestId) details.request_id = error.requestId;
  const fail = (
    code: string,
    message: string,
    retrySafe: boolean,
    extra: { status?: number; retryAfterMs?: number } = {},
  ) => new CallError({ code, message, retrySafe, details, ...extra }, { cause: error });

  if (error.type === 'StripeConnectionError') return connectionFailure(error, repeatable, secrets);
  if (status === 402 || error.rawType === 'card_error') {
    if (error.payment_intent?.id) details.payment_intent = error.payment_intent.id;
    return fail('CARD_DECLINED', `Stripe declined the payment (${said})`, false, { status: 402 });
  }
  if (status === 409) {
    // Most often another request with this key is still running; repeating once it is done replays it.
    const message = `Stripe refused a concurrent request (${said})`;
    return fail('STRIPE_CONFLICT', message, true, { retryAfterMs: CONFLICT_RETRY_AFTER_MS });
  }
  if (error.rawType === 'idempotency_error') {
    return fail(
      'IDEMPOTENCY_KEY_REUSED',
      `Stripe refused the idempotency key: it was used with other parameters (${said})`,
      false,
      { status: 422 },
    );
  }
  if (status === 429) {
    const retryAfter = parseRetryAfter(error.headers?.['retry-after'], now);
    return fail('RATE_LIMITED', `rate limited by Stripe (${said})`, true, {
      status: 429,
      retryAfterMs: retryAfter === null ? undefined : Math.min(retryAfter, RETRY_AFTER_CAP_MS),
    });
  }
  if (status === 401)
    return fail('CONNECTION_AUTH_FAILED', `Stripe refused the connection's key (${said})`, false);
  if (status === 403)
    return fail('PERMISSION_DENIED', `Stripe refused access (${said})`, false, { status: 403 });
  if (status === 404 || error.code === 'resource_missing') {
    return fail('NOT_FOUND', `Stripe: ${said}`, false, { status: 404 });
  }
  if (status !== undefined && status < 500) {
    return fail('STRIPE_INVALID_REQUEST', `Stripe rejected the request (${said})`, false, { status: 400 });
  }
  const shouldRetry = error.headers?.['stripe-should-retry'] !== 'false';
  const retrySafe = repeatable && shouldRetry;
  const suffix = repeatable ? '' : '; the request may have been applied';
  return fail('UPSTREAM_UNAVAILABLE', `Stripe failed (${said})${suffix}`, retrySafe);
}

/** The SDK reached no answer: the guard refused the address, the request timed out, or the socket failed. */
function connectionFailure(
  error: StripeSdkError,
  repeatable: boolean,
  secrets: readonly string[],
): CallError {
  const blocked = causes(error).find((e): e is SsrfBlockedError => e instanceof SsrfBlockedError);
  if (blocked)
    return new CallError(
      { code: 'SSRF_BLOCKED', message: blocked.message, retrySafe: false },
      { cause: error },
    );
  const suffix = repeatable ? '' : '; the request may have been applied';
  const timedOut = causes(error).some((e) => (e as { code?: unknown }).code === 'ETIMEDOUT');
  const code = timedOut ? 'STEP_TIMEOUT' : 'UPSTREAM_UNAVAILABLE';
  const message = timedOut
    ? `Stripe did not answer in time${suffix}`
    : `Stripe could not be reached (${redactSecrets(describe(error), secrets)})${suffix}`;
  return new CallError({ code, message, retrySafe: repeatable }, { cause: error });
}

type StripeSdkError = Stripe.errors.StripeError;

/**
 * The SDK's errors, recognised by shape: the SDK is loaded lazily (see client.ts), so its classes are not
 * at hand here. Every StripeError names its class in `type` and carries `rawType` and `statusCode`.
 */
function isStripeError(error: unknown): error is StripeSdkError {
  return (
    error instanceof Error &&
    typeof (error as { type?: unknown }).type === 'string' &&
    (error as unknown as { type: string }).type.startsWith('Stripe') &&
    'rawType' in error &&
    'statusCode' in error
  );
}

/** The error, its `detail` (the SDK's wrapped cause) and their `cause` chains. */
function causes(error: unknown): Error[] {
  const out: Error[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 10) {
    const next = queue.shift();
    if (!(next instanceof Error)) continue;
    out.push(next);
    queue.push((next as { detail?: unknown }).detail, next.cause);
  }
  return out;
}

/** The first network error code along the causes, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`; else the message. */
function describe(error: Error): string {
  const coded = causes(error).find((e) => typeof (e as { code?: unknown }).code === 'string');
  return coded ? String((coded as { code?: unknown }).code) : error.message;
}
