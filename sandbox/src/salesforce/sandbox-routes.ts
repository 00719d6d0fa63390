import type { Route } from '../shared/http.js';
import type { Sessions } from './sessions.js';

/**
 * Test hooks beside the API (not Salesforce's): `GET /_sandbox/salesforce/tokens` counts token requests
 * (`{ issued, byGrant, refused }`), so a test can assert that a client refreshed once; and
 * `DELETE /_sandbox/salesforce/sessions` revokes every access token, so the next call answers 401.
 */
export function sandboxRoutes(sessions: Sessions): Route[] {
  return [
    {
      method: 'GET',
      path: '/_sandbox/salesforce/tokens',
      handler: () => ({ status: 200, body: sessions.counts() }),
    },
    {
      method: 'DELETE',
      path: '/_sandbox/salesforce/sessions',
      handler: () => ({ status: 200, body: { revoked: sessions.revokeAll() } }),
    },
  ];
}
