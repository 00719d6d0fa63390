import { CallError } from '../../core/errors.js';
import type { JsonObject, JsonValue } from '../../core/json.js';
import type { StepEffect } from '../../store/store.js';
import type { AccessToken, ActionContext, ResolvedConnection } from '../connector.js';
import type { HttpMethod } from '../http/effect.js';
import type { PreparedRequest } from '../http/request-input.js';
import { first, type RawResponse } from '../http/send.js';
import { secretValues } from './auth.js';
import type { ResolvedSalesforceConfig } from './config.js';
import { authFailed, connectionInvalid, outcomeUnknownIfUnsafe, salesforceFailure } from './errors.js';
import type { SalesforceTransport } from './transport.js';

/** One REST request of an action. */
export interface SalesforceCall {
  method: HttpMethod;
  /** Under `/services/data/{api_version}` (`/query`), or absolute when it starts with `/services/`. */
  path: string;
  query?: Record<string, string>;
  body?: JsonObject;
}

export interface SalesforceReply {
  status: number;
  /** The parsed JSON body; null for 204. */
  body: JsonValue;
  /** True when the first token was rejected (401) and the request went again with a fresh one. */
  refreshedToken: boolean;
  /** `Sforce-Limit-Info`, e.g. `api-usage=25/15000`, when the org sent it. */
  apiUsage: string | null;
}

/**
 * Sends one request with the connection's access token. A 401 (INVALID_SESSION_ID: the session expired
 * or was revoked) rejects that token, so the vault refreshes it — once across workers — and the request
 * goes again, once: Salesforce refused it without acting, so even a create may be resent. Any other
 * status ≥ 300 becomes the mapped CallError.
 */
export async function callSalesforce(
  ctx: ActionContext,
  config: ResolvedSalesforceConfig,
  transport: SalesforceTransport,
  call: SalesforceCall,
  effect: StepEffect,
): Promise<SalesforceReply> {
  const connection = ctx.connection as ResolvedConnection;
  if (!connection.accessToken) {
    throw connectionInvalid(`connection "${connection.name}" has no OAuth token source (vault)`);
  }
  const tokens: string[] = [];
  const attempt = async (options: { rejected?: string }) => {
    const token = await (connection.accessToken as NonNullable<ResolvedConnection['accessToken']>)({
      ...options,
      signal: ctx.signal,
    });
    tokens.push(token.token);
    const req = prepare(config, token, call);
    return { token, res: await transport.send(req, effect, config, ctx.signal) };
  };

  let { token, res } = await attempt({});
  let refreshedToken = false;
  if (res.status === 401) {
    ({ token, res } = await attempt({ rejected: token.token }));
    refreshedToken = true;
  }
  if (res.status >= 300) {
    throw salesforceFailure(res, effect, [...secretValues(connection.secrets), ...tokens]);
  }
  return { status: res.status, body: parseBody(res, effect), refreshedToken, apiUsage: apiUsage(res) };
}

function prepare(
  config: ResolvedSalesforceConfig,
  token: AccessToken,
  call: SalesforceCall,
): PreparedRequest {
  const instance = config.instanceUrl ?? instanceUrlOf(token);
  const path = call.path.startsWith('/services/')
    ? call.path
    : `/services/data/${config.apiVersion}${call.path}`;
  const url = new URL(path, instance);
  for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = {
    authorization: `Bearer ${token.token}`,
    accept: 'application/json',
  };
  let body: string | null = null;
  if (call.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.body);
  }
  return {
    method: call.method,
    url,
    headers,
    body,
    connectionHeaders: [],
    sendsIdempotencyKey: false,
    responseHeaders: [],
  };
}

function instanceUrlOf(token: AccessToken): URL {
  const text = token.extra?.instance_url;
  if (!text) throw authFailed('the access token carries no Salesforce instance_url');
  return new URL(text);
}

function parseBody(res: RawResponse, effect: StepEffect): JsonValue {
  if (res.status === 204 || res.body.length === 0) return null;
  try {
    return JSON.parse(res.body.toString('utf8')) as JsonValue;
  } catch {
    const message = `Salesforce answered HTTP ${res.status} with a body that is not JSON`;
    const error = new CallError({ code: 'UPSTREAM_UNAVAILABLE', message, retrySafe: effect !== 'unsafe' });
    throw outcomeUnknownIfUnsafe(error, effect);
  }
}

function apiUsage(res: RawResponse): string | null {
  const info = first(res.headers['sforce-limit-info']);
  const match = info ? /api-usage=(\d+\/\d+)/.exec(info) : null;
  return match?.[1] ?? null;
}
