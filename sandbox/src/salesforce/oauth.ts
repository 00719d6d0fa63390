import { createHmac } from 'node:crypto';
import { SANDBOX_CREDENTIALS } from '../shared/credentials.js';
import type { Route, SandboxResponse } from '../shared/http.js';
import { ORG_ID, USER_ID } from './ids.js';
import type { Grant, Sessions } from './sessions.js';

const CREDENTIALS = SANDBOX_CREDENTIALS.salesforce;

/**
 * `POST /services/oauth2/token` (form-encoded) with the client_credentials or refresh_token grant, answered
 * as Salesforce does: `{ access_token, instance_url, id, token_type, issued_at, signature }` (no new refresh
 * token on refresh), and OAuth errors `{ error, error_description }` with 400.
 */
export function oauthRoutes(sessions: Sessions, baseUrl: () => string): Route[] {
  return [
    {
      method: 'POST',
      path: '/services/oauth2/token',
      handler: (req) => {
        const form = new URLSearchParams(req.body.toString('utf8'));
        const grant = form.get('grant_type');
        const refusal = refusalOf(form, grant);
        if (refusal) {
          sessions.refused(grant);
          return refusal;
        }
        const { token, issuedAt } = sessions.issue(grant as Grant);
        const id = `${baseUrl()}/id/${ORG_ID}/${USER_ID}`;
        const signature = createHmac('sha256', CREDENTIALS.clientSecret)
          .update(id + String(issuedAt))
          .digest('base64');
        return {
          status: 200,
          body: {
            access_token: token,
            instance_url: baseUrl(),
            id,
            token_type: 'Bearer',
            issued_at: String(issuedAt),
            signature,
          },
        };
      },
    },
  ];
}

function refusalOf(form: URLSearchParams, grant: string | null): SandboxResponse | null {
  if (grant !== 'client_credentials' && grant !== 'refresh_token') {
    return oauthError('unsupported_grant_type', 'grant type not supported');
  }
  if (form.get('client_id') !== CREDENTIALS.clientId) {
    return oauthError('invalid_client_id', 'client identifier invalid');
  }
  if (form.get('client_secret') !== CREDENTIALS.clientSecret) {
    return oauthError('invalid_client', 'invalid client credentials');
  }
  if (grant === 'refresh_token' && form.get('refresh_token') !== CREDENTIALS.refreshToken) {
    return oauthError('invalid_grant', 'expired access/refresh token');
  }
  return null;
}

function oauthError(error: string, description: string): SandboxResponse {
  return { status: 400, body: { error, error_description: description } };
}
