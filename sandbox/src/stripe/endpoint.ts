import { createHash } from 'node:crypto';
import { drawLatency, type Behaviour } from '../shared/behaviour.js';
import type { Route, SandboxRequest, SandboxResponse } from '../shared/http.js';
import type { Ledger } from '../shared/ledger.js';
import type { StateDb } from '../shared/state.js';
import { authenticate } from './auth.js';
import { invalidRequest, StripeError } from './errors.js';
import { decodeForm, FormDecodeError, type FormObject } from './form.js';
import type { IdempotencyStore } from './idempotency.js';
import { newId } from './ids.js';
import type { ObjectStore } from './store.js';

/** What an endpoint's execution may use. */
export interface StripeContext {
  store: ObjectStore;
  ledger: Ledger;
  /** Unix seconds, for `created`. */
  now(): number;
  /** The request's Idempotency-Key, recorded with the effects it executes. */
  idempotencyKey: string | null;
}

export interface StripeResult {
  status: number;
  body: unknown;
}

/**
 * One Stripe endpoint in two phases, as Stripe's idempotency layer sees it: `prepare` validates the params
 * (a refusal there is not saved under an Idempotency-Key) and returns the execution, whose result (errors
 * such as declines included) is saved. An execution checks everything it can refuse before it changes
 * anything; it runs in one SQLite transaction with the saving of its result.
 */
export interface Endpoint {
  method: 'GET' | 'POST';
  path: string;
  prepare(params: FormObject, pathParams: Record<string, string>, ctx: StripeContext): () => StripeResult;
}

export interface EndpointDeps {
  db: StateDb;
  store: ObjectStore;
  ledger: Ledger;
  idempotency: IdempotencyStore;
  secretKeys: readonly string[];
  nowMs(): number;
  behaviour(): Behaviour;
}

/** The API version answered when the request names none. */
export const API_VERSION = '2025-03-31.basil';

/**
 * Share of a latency draw a state-changing request spends executing while holding its Idempotency-Key
 * (after the router's own latency), so that duplicates sent together overlap as they do against Stripe.
 */
export const PROCESSING_SHARE = 0.25;

export function toRoute(endpoint: Endpoint, deps: EndpointDeps): Route {
  return {
    method: endpoint.method,
    path: endpoint.path,
    changesState: endpoint.method === 'POST',
    handler: (req) => handle(endpoint, deps, req),
  };
}

async function handle(endpoint: Endpoint, deps: EndpointDeps, req: SandboxRequest): Promise<SandboxResponse> {
  const requestId = newId.request();
  const version = req.headers['stripe-version'];
  const headers: Record<string, string> = {
    'request-id': requestId,
    'stripe-version': typeof version === 'string' ? version : API_VERSION,
  };
  const answer = (status: number, body: unknown, extra: Record<string, string> = {}): SandboxResponse => ({
    status,
    body,
    headers: { ...headers, ...extra },
  });
  try {
    const apiKey = authenticate(req, deps.secretKeys);
    if (apiKey instanceof StripeError)
      return answer(apiKey.status, apiKey.body, { 'www-authenticate': 'Bearer realm="Stripe"' });
    const params = decodeParams(endpoint, req);
    const scope = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
    const key = endpoint.method === 'POST' ? headerValue(req, 'idempotency-key') : null;
    const name = `${endpoint.method} ${req.path.replace(/\/$/, '')}`;
    const keyHeader: Record<string, string> = key ? { 'idempotency-key': key } : {};
    if (key) {
      const saved = deps.idempotency.lookup(scope, key, name, params);
      if (saved)
        return answer(saved.status, saved.body, {
          ...keyHeader,
          'idempotent-replayed': 'true',
          'original-request': saved.requestId,
        });
    }
    const ctx: StripeContext = {
      store: deps.store,
      ledger: deps.ledger,
      now: () => Math.floor(deps.nowMs() / 1000),
      idempotencyKey: key,
    };
    const run = endpoint.prepare(params, req.params, ctx);
    const release = key ? deps.idempotency.claim(scope, key) : () => true;
    try {
      const processing = endpoint.method === 'POST' ? drawLatency(deps.behaviour()) * PROCESSING_SHARE : 0;
      if (processing > 0) await new Promise((resolve) => setTimeout(resolve, processing));
      const result = deps.db.transaction(() => {
        const outcome = execute(run);
        if (key) deps.idempotency.save(scope, key, name, params, { ...outcome, requestId });
        return outcome;
      })();
      return answer(result.status, result.body, keyHeader);
    } finally {
      release();
    }
  } catch (error) {
    if (error instanceof StripeError) return answer(error.status, error.body);
    return answer(500, {
      error: { type: 'api_error', message: `An unknown error occurred in the emulator: ${String(error)}` },
    });
  }
}

function execute(run: () => StripeResult): StripeResult {
  try {
    return run();
  } catch (error) {
    if (error instanceof StripeError) return { status: error.status, body: error.body };
    throw error;
  }
}

function decodeParams(endpoint: Endpoint, req: SandboxRequest): FormObject {
  try {
    return decodeForm(endpoint.method === 'GET' ? req.query.toString() : req.body.toString('utf8'));
  } catch (error) {
    if (error instanceof FormDecodeError) throw invalidRequest(error.message, { param: error.param });
    throw error;
  }
}

function headerValue(req: SandboxRequest, name: string): string | null {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? null : text;
}

export function ok(body: unknown): StripeResult {
  return { status: 200, body };
}
