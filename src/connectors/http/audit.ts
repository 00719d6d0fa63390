import type { JsonObject } from '../../core/json.js';
import type { PreparedRequest } from './request-input.js';
import { first, type RawResponse } from './send.js';

// Query parameters whose values are credentials often enough that the audit never keeps them.
const SECRET_PARAM = /token|key|secret|pass|pwd|auth|sig|session|credential|code/i;

/** What the journal keeps of a request: never header values, bodies, or secret-looking query values. */
export function requestSummary(req: PreparedRequest): JsonObject {
  return {
    method: req.method,
    url: redactUrl(req.url),
    headers: Object.keys(req.headers).sort(),
    body_bytes: req.body === null ? 0 : Buffer.byteLength(req.body),
    idempotency_key: req.sendsIdempotencyKey,
  };
}

export function responseSummary(res: RawResponse, tries: number): JsonObject {
  const summary: JsonObject = {
    status: res.status,
    body_bytes: res.body.length,
    tries,
    redirects: res.redirects,
  };
  const contentType = first(res.headers['content-type']);
  if (contentType !== undefined) summary.content_type = contentType;
  if (res.redirects > 0) summary.url = redactUrl(res.url);
  return summary;
}

/** The URL without user info, fragment, or the values of secret-looking query parameters. */
export function redactUrl(url: URL): string {
  const copy = new URL(url);
  copy.username = '';
  copy.password = '';
  copy.hash = '';
  for (const name of new Set(copy.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) copy.searchParams.set(name, 'REDACTED');
  }
  return copy.toString();
}

/** Shortest secret value `redactSecrets` looks for: shorter ones would blank out ordinary words. */
const MIN_SECRET_LENGTH = 6;

/**
 * The text with every occurrence of the given secret values replaced by `[REDACTED]`: for messages a
 * vendor composed (an error echoing a key or an account id) before they reach errors and the journal.
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join('[REDACTED]');
  }
  return out;
}
