import { basicAuth, type SandboxRequest } from '../shared/http.js';
import { invalidRequest, type StripeError } from './errors.js';

/** The API key a request carries: `Authorization: Bearer sk_…`, or Basic with the key as the user. */
export function apiKeyOf(req: SandboxRequest): string | null {
  const header = req.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return header.slice(7).trim();
  return basicAuth(req)?.user ?? null;
}

/** The secret key the request authenticates with (one of `accepted`), or the 401 Stripe answers. */
export function authenticate(req: SandboxRequest, accepted: readonly string[]): string | StripeError {
  const key = apiKeyOf(req);
  if (!key)
    return invalidRequest(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      {},
      401,
    );
  if (!accepted.includes(key)) return invalidRequest(`Invalid API Key provided: ${maskApiKey(key)}`, {}, 401);
  return key;
}

/** As Stripe shows a rejected key: long keys keep their first 8 characters, all keep their last 4. */
export function maskApiKey(key: string): string {
  const head = key.length > 24 ? key.slice(0, 8) : '';
  const tail = key.length > 4 ? key.slice(-4) : '';
  return head + '*'.repeat(key.length - head.length - tail.length) + tail;
}
