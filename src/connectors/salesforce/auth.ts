import { CallError } from '../../core/errors.js';
import type { AccessToken, ConnectionSecrets, Connector } from '../connector.js';
import { redactSecrets } from '../http/audit.js';
import { responseFailure } from '../http/failure.js';
import type { PreparedRequest } from '../http/request-input.js';
import type { ResolvedSalesforceConfig } from './config.js';
import { originUrl } from './config.js';
import { authFailed, connectionInvalid } from './errors.js';
import type { SalesforceTransport } from './transport.js';

export const SALESFORCE_SECRET_FIELDS: NonNullable<Connector['secretFields']> = [
  { name: 'client_id', required: true, description: 'Consumer key of the connected app.' },
  { name: 'client_secret', required: true, description: 'Consumer secret of the connected app.' },
  {
    name: 'refresh_token',
    required: false,
    description: 'When set, tokens come from the refresh_token grant instead of client_credentials.',
  },
];

/** Every secret value of a connection, for scrubbing vendor messages. */
export function secretValues(secrets: Readonly<Record<string, string>>): string[] {
  return Object.values(secrets);
}

/**
 * Obtains an access token: `POST {login_url}/services/oauth2/token` with the client_credentials grant, or
 * the refresh_token grant when the connection holds a `refresh_token`. Salesforce names no lifetime, so
 * the token is trusted for the connection's `token_ttl` (see config.ts). Refused credentials are
 * CONNECTION_AUTH_FAILED (final); an unreachable or failing login host is retry-safe, since asking for
 * a token changes nothing.
 */
export async function requestToken(
  connection: ConnectionSecrets,
  config: ResolvedSalesforceConfig,
  transport: SalesforceTransport,
  signal: AbortSignal,
): Promise<AccessToken> {
  const {
    client_id: clientId,
    client_secret: clientSecret,
    refresh_token: refreshToken,
  } = connection.secrets;
  if (!clientId || !clientSecret) {
    throw connectionInvalid(`connection "${connection.name}" lacks the client_id and client_secret secrets`);
  }
  const form = new URLSearchParams(
    refreshToken
      ? {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: clientId,
          client_secret: clientSecret,
        }
      : { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  );
  const req: PreparedRequest = {
    method: 'POST',
    url: new URL('/services/oauth2/token', config.loginUrl),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    connectionHeaders: [],
    sendsIdempotencyKey: false,
    responseHeaders: [],
  };
  const issuedAt = Date.now();
  // Asking for a token changes nothing at Salesforce: as repeatable as a keyed request.
  const res = await transport.send(req, 'keyed', config, signal);
  const secrets = secretValues(connection.secrets);
  const body = parseObject(res.body);
  if (res.status === 200 && typeof body?.access_token === 'string') {
    const instanceUrl = typeof body.instance_url === 'string' ? body.instance_url : null;
    if (!instanceUrl && !config.instanceUrl) {
      throw authFailed('the Salesforce token response names no instance_url');
    }
    const extra: Record<string, string> = {};
    if (instanceUrl) extra.instance_url = checkedInstanceUrl(instanceUrl);
    return { token: body.access_token, expiresAt: issuedAt + config.tokenTtlMs, extra };
  }
  const said =
    typeof body?.error === 'string'
      ? redactSecrets(`${body.error}: ${String(body.error_description ?? '')}`, secrets)
      : `HTTP ${res.status}`;
  const details = { upstream_status: res.status };
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    throw authFailed(`Salesforce refused the connection's credentials (${said})`, details);
  }
  const generic = responseFailure(res, 'keyed', Date.now())?.error;
  throw new CallError({
    code: generic?.code ?? 'UPSTREAM_UNAVAILABLE',
    message: `Salesforce token request failed: ${generic?.message ?? 'unexpected answer'} (${said})`,
    retrySafe: generic?.retrySafe ?? true,
    retryAfterMs: generic?.retryAfterMs,
    details,
  });
}

function checkedInstanceUrl(text: string): string {
  try {
    return originUrl(text, 'instance_url').origin;
  } catch {
    throw authFailed('the Salesforce token response names a malformed instance_url');
  }
}

function parseObject(body: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
