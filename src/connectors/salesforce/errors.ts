import { CallError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/json.js';
import type { StepEffect } from '../../store/store.js';
import { redactSecrets } from '../http/audit.js';
import { responseFailure } from '../http/failure.js';
import { parseRetryAfter } from '../http/retry-after.js';
import { first, type RawResponse } from '../http/send.js';

/**
 * How long to wait after REQUEST_LIMIT_EXCEEDED when Salesforce names no Retry-After: until the next UTC
 * day when that comes within an hour, else an hour. Salesforce counts the daily allowance over a rolling
 * 24 hours (capacity comes back as the calls of a day ago age out; orgs and emulators that count per
 * calendar day reset at midnight), so an hour is a sensible first wait: the worker's backoff stretches
 * it on repeats, and the step fails rather than waits once the call's deadline is nearer.
 */
const QUOTA_RETRY_AFTER_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

function quotaRetryAfterMs(now: number): number {
  return Math.min(QUOTA_RETRY_AFTER_MS, DAY_MS - (now % DAY_MS));
}
const RETRY_AFTER_CAP_MS = 24 * 60 * 60_000;

export function invalidRequest(message: string, details?: JsonValue): CallError {
  return new CallError({
    code: 'SALESFORCE_INVALID_REQUEST',
    message,
    retrySafe: false,
    status: 400,
    details,
  });
}

/** A success status with a body that is not what the API documents: a fault upstream, not retried. */
export function unexpectedAnswer(message: string): CallError {
  return new CallError({ code: 'UPSTREAM_UNAVAILABLE', message, retrySafe: false });
}

export function connectionInvalid(message: string): CallError {
  return new CallError({ code: 'CONNECTION_INVALID', message, retrySafe: false });
}

export function authFailed(message: string, details?: JsonValue): CallError {
  return new CallError({ code: 'CONNECTION_AUTH_FAILED', message, retrySafe: false, details });
}

/** One entry of Salesforce's error array: `[{ "errorCode": …, "message": …, "fields": [...] }]`. */
interface SalesforceError {
  errorCode: string;
  message: string;
  fields: string[];
}

/**
 * Maps a Salesforce REST response that is not a success (status ≥ 300) to a CallError: 404 → NOT_FOUND;
 * REQUEST_LIMIT_EXCEEDED → QUOTA_EXCEEDED (retry-safe, with retryAfterMs); 401 and other auth refusals →
 * CONNECTION_AUTH_FAILED; 403 → PERMISSION_DENIED; UNABLE_TO_LOCK_ROW → UPSTREAM_UNAVAILABLE (retry-safe);
 * 429, 408 and 5xx as the http connector maps them (retry-safe unless the effect is unsafe, then
 * OUTCOME_UNKNOWN); every other refusal (INVALID_FIELD, MALFORMED_QUERY, REQUIRED_FIELD_MISSING,
 * validation rules, duplicates, …) → SALESFORCE_INVALID_REQUEST, final. Salesforce's own error code
 * and message stay in the message and in `details`; known secret values never do.
 */
export function salesforceFailure(
  res: RawResponse,
  effect: StepEffect,
  secrets: readonly string[],
  now = Date.now(),
): CallError {
  const [main] = parseErrors(res.body);
  const said = main ? redactSecrets(`${main.errorCode}: ${main.message}`, secrets) : `HTTP ${res.status}`;
  const details: JsonObject = { upstream_status: res.status };
  if (main) {
    details.error_code = main.errorCode;
    if (main.fields.length > 0) details.fields = main.fields;
  }
  const code = main?.errorCode ?? '';

  const usage = first(res.headers['sforce-limit-info']);
  if (usage) details.api_usage = usage;
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    const retryAfter = parseRetryAfter(res.headers['retry-after'], now);
    return new CallError({
      code: 'QUOTA_EXCEEDED',
      message: `Salesforce API request limit reached (${said})`,
      retrySafe: true,
      status: 429,
      retryAfterMs: Math.min(retryAfter ?? quotaRetryAfterMs(now), RETRY_AFTER_CAP_MS),
      details,
    });
  }
  if (res.status === 401 || code === 'INVALID_SESSION_ID' || code === 'INVALID_AUTH_HEADER') {
    return authFailed(`Salesforce refused the connection's credentials (${said})`, details);
  }
  if (res.status === 404 || code === 'NOT_FOUND') {
    return new CallError({
      code: 'NOT_FOUND',
      message: `Salesforce: ${said}`,
      retrySafe: false,
      status: 404,
      details,
    });
  }
  if (res.status === 403) {
    return new CallError({
      code: 'PERMISSION_DENIED',
      message: `Salesforce refused access (${said})`,
      retrySafe: false,
      status: 403,
      details,
    });
  }
  if (res.status === 300) {
    return invalidRequest('Salesforce: several records match the external id', {
      ...details,
      error_code: 'MULTIPLE_CHOICES',
    });
  }
  if (code === 'UNABLE_TO_LOCK_ROW') {
    // Row-lock contention: the refused DML rolled back, so even a create may run again.
    const message = `Salesforce could not lock the record (${said})`;
    return new CallError({ code: 'UPSTREAM_UNAVAILABLE', message, retrySafe: true, details });
  }
  const generic = responseFailure(res, effect, now)?.error;
  if (generic && (res.status >= 500 || generic.retrySafe)) {
    // 5xx, 429, 408, 425: what the http connector says, with Salesforce's words added.
    const error = new CallError({
      ...generic.toToolError(),
      message: `Salesforce: ${generic.message} (${said})`,
      details,
    });
    return outcomeUnknownIfUnsafe(error, effect);
  }
  return invalidRequest(`Salesforce rejected the request: ${said}`, details);
}

/**
 * An unsafe request (a plain create) that may have been applied — a 5xx, a timeout or a connection
 * lost after sending — has an unknown outcome: repeating it could create a second record.
 */
export function outcomeUnknownIfUnsafe(error: CallError, effect: StepEffect): CallError {
  if (effect !== 'unsafe' || error.retrySafe) return error;
  if (error.code !== 'UPSTREAM_UNAVAILABLE' && error.code !== 'STEP_TIMEOUT') return error;
  return new CallError({ ...error.toToolError(), code: 'OUTCOME_UNKNOWN' }, { cause: error });
}

function parseErrors(body: Buffer): SalesforceError[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  return list.flatMap((item: unknown) => {
    if (item === null || typeof item !== 'object') return [];
    const e = item as Record<string, unknown>;
    const errorCode =
      typeof e.errorCode === 'string' ? e.errorCode : typeof e.error === 'string' ? e.error : null;
    if (!errorCode) return [];
    const message =
      typeof e.message === 'string'
        ? e.message
        : typeof e.error_description === 'string'
          ? e.error_description
          : '';
    const fields = Array.isArray(e.fields) ? e.fields.filter((f): f is string => typeof f === 'string') : [];
    return [{ errorCode, message, fields }];
  });
}
