import { CallError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { StepEffect } from '../../store/store.js';
import { redactSecrets } from '../http/audit.js';
import { responseFailure } from '../http/failure.js';
import type { RawResponse } from '../http/send.js';

/** Twilio error codes (https://www.twilio.com/docs/api/errors) that name a bad recipient number. */
const INVALID_NUMBER_CODES = new Set([21211, 21614, 21217]);
const AUTH_CODES = new Set([20003, 20005, 20006]);

export function connectionInvalid(message: string): CallError {
  return new CallError({ code: 'CONNECTION_INVALID', message, retrySafe: false });
}

export function invalidRequest(message: string, details?: JsonObject): CallError {
  return new CallError({ code: 'TWILIO_INVALID_REQUEST', message, retrySafe: false, status: 400, details });
}

/**
 * Maps a Twilio error response (`{ code, message, more_info, status }`) to a CallError: 21211 and other
 * bad-number codes → INVALID_PHONE_NUMBER; 20003 (and any 401) → CONNECTION_AUTH_FAILED; 404 → NOT_FOUND;
 * 403 → PERMISSION_DENIED; 429 → RATE_LIMITED (retry-safe: Twilio did not process the request); 5xx →
 * UPSTREAM_UNAVAILABLE when repeating is harmless, OUTCOME_UNKNOWN for a send (the message may be on its
 * way; Twilio takes no idempotency key); other 4xx → TWILIO_INVALID_REQUEST. Twilio's code and message
 * stay visible; the account SID and token are scrubbed from them.
 */
export function twilioFailure(
  res: RawResponse,
  effect: StepEffect,
  secrets: readonly string[],
  now = Date.now(),
): CallError {
  const { code, message } = parseError(res.body);
  const said = redactSecrets(code === null ? `HTTP ${res.status}` : `${code}: ${message}`, secrets);
  const details: JsonObject = { upstream_status: res.status };
  if (code !== null) details.twilio_code = code;
  const fail = (mapped: string, text: string, status?: number) =>
    new CallError({ code: mapped, message: text, retrySafe: false, status, details });

  if (code !== null && INVALID_NUMBER_CODES.has(code)) {
    return fail('INVALID_PHONE_NUMBER', `Twilio refused the phone number (${said})`, 400);
  }
  if (res.status === 401 || (code !== null && AUTH_CODES.has(code))) {
    return fail('CONNECTION_AUTH_FAILED', `Twilio refused the connection's credentials (${said})`);
  }
  if (res.status === 404) return fail('NOT_FOUND', `Twilio: ${said}`, 404);
  if (res.status === 403) return fail('PERMISSION_DENIED', `Twilio refused access (${said})`, 403);
  const generic = responseFailure(res, effect, now)?.error;
  if (generic && (res.status >= 500 || generic.retrySafe)) {
    const error = new CallError({
      ...generic.toToolError(),
      message: `Twilio: ${generic.message} (${said})`,
      details,
    });
    return outcomeUnknownIfUnsafe(error, effect);
  }
  return invalidRequest(`Twilio rejected the request (${said})`, details);
}

/**
 * A send that may have happened — a 5xx, a timeout, a connection lost after the request went out — has
 * an unknown outcome: sending again could text the guest twice, so it is not retried.
 */
export function outcomeUnknownIfUnsafe(error: CallError, effect: StepEffect): CallError {
  if (effect !== 'unsafe' || error.retrySafe) return error;
  if (error.code !== 'UPSTREAM_UNAVAILABLE' && error.code !== 'STEP_TIMEOUT') return error;
  return new CallError({ ...error.toToolError(), code: 'OUTCOME_UNKNOWN' }, { cause: error });
}

function parseError(body: Buffer): { code: number | null; message: string } {
  try {
    const value = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    return {
      code: typeof value.code === 'number' ? value.code : null,
      message: typeof value.message === 'string' ? value.message : '',
    };
  } catch {
    return { code: null, message: '' };
  }
}
