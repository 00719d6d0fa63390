import type { StateDb } from '../shared/state.js';
import { invalidRequest, StripeError } from './errors.js';
import type { FormObject } from './form.js';

/** A response saved for an Idempotency-Key, replayed to later requests with the same key. */
export interface SavedResponse {
  status: number;
  body: unknown;
  /** The Request-Id of the request that executed. */
  requestId: string;
}

/** Stripe keeps keys for at least 24 hours; a key reused after that runs as a new request. */
export const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
const MAX_KEY_LENGTH = 255;

/**
 * Idempotency-Key semantics as Stripe documents them for API v1: once an endpoint has begun executing,
 * its status and body are saved under (API key, Idempotency-Key) and replayed to every later request with
 * that key, errors included; the same key with other parameters or on another endpoint is refused (400);
 * a request whose key is still executing is refused (409). Saved responses live in the state file, so
 * they survive a restart; keys in flight are held in memory.
 */
export class IdempotencyStore {
  private readonly inFlight = new Set<string>();
  private readonly select;
  private readonly insert;
  private readonly remove;
  private readonly prune;

  constructor(
    db: StateDb,
    private readonly now: () => number,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS stripe_idempotency (
      scope TEXT NOT NULL, key TEXT NOT NULL, endpoint TEXT NOT NULL, params TEXT NOT NULL,
      status INTEGER NOT NULL, body TEXT NOT NULL, request_id TEXT NOT NULL, saved_at INTEGER NOT NULL,
      PRIMARY KEY (scope, key))`);
    this.select = db.prepare<
      [string, string],
      { endpoint: string; params: string; status: number; body: string; request_id: string; saved_at: number }
    >('SELECT * FROM stripe_idempotency WHERE scope = ? AND key = ?');
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO stripe_idempotency (scope, key, endpoint, params, status, body, request_id, saved_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.remove = db.prepare('DELETE FROM stripe_idempotency WHERE scope = ? AND key = ?');
    this.prune = db.prepare('DELETE FROM stripe_idempotency WHERE saved_at <= ?');
  }

  /** The saved response to replay, null for a key not (or no longer) known; throws Stripe's refusals. */
  lookup(scope: string, key: string, endpoint: string, params: FormObject): SavedResponse | null {
    if (key.length > MAX_KEY_LENGTH)
      throw invalidRequest(`Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters long.`, {
        param: 'Idempotency-Key',
      });
    const row = this.select.get(scope, key);
    if (row && row.saved_at <= this.now() - KEY_LIFETIME_MS) this.remove.run(scope, key);
    else if (row) {
      if (row.endpoint !== endpoint)
        throw idempotencyError(
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${row.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      if (row.params !== canonical(params))
        throw idempotencyError(
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      return { status: row.status, body: JSON.parse(row.body) as unknown, requestId: row.request_id };
    }
    if (this.inFlight.has(slot(scope, key)))
      throw new StripeError(
        409,
        'idempotency_error',
        `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
        { code: 'idempotency_key_in_use' },
      );
    return null;
  }

  /** Marks the key as executing; call the returned function when done (saved or not). */
  claim(scope: string, key: string): () => void {
    const id = slot(scope, key);
    this.inFlight.add(id);
    return () => this.inFlight.delete(id);
  }

  save(scope: string, key: string, endpoint: string, params: FormObject, response: SavedResponse): void {
    const now = this.now();
    this.prune.run(now - KEY_LIFETIME_MS);
    this.insert.run(
      scope,
      key,
      endpoint,
      canonical(params),
      response.status,
      JSON.stringify(response.body),
      response.requestId,
      now,
    );
  }
}

function idempotencyError(message: string): StripeError {
  return new StripeError(400, 'idempotency_error', message);
}

function slot(scope: string, key: string): string {
  return `${scope}\u0000${key}`;
}

/** Parameters compared independent of their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
