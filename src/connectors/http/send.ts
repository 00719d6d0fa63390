import type { IncomingHttpHeaders } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { CallError } from '../../core/errors.js';
import type { HttpMethod } from './effect.js';
import type { PreparedRequest } from './request-input.js';
import type { SsrfGuard } from './ssrf-guard.js';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Where the response came from, after redirects. */
  url: URL;
  redirects: number;
}

export interface SendOptions {
  dispatcher: Dispatcher;
  guard: SsrfGuard;
  signal: AbortSignal;
  maxResponseBytes: number;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Sent only to the origin they were meant for (as browsers do on a cross-origin redirect).
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * One try of a request. Redirects are followed here rather than by undici so that every hop passes the
 * SSRF guard and cross-origin hops lose credentials.
 */
export async function sendFollowingRedirects(
  req: PreparedRequest,
  options: SendOptions,
): Promise<RawResponse> {
  let { method, url, headers, body } = req;
  for (let redirects = 0; ; redirects++) {
    options.guard.checkUrl(url);
    const res = await request(url, {
      method,
      headers,
      body,
      signal: options.signal,
      dispatcher: options.dispatcher,
    });
    const location = first(res.headers.location);
    if (!REDIRECTS.has(res.statusCode) || !location) {
      const bytes =
        method === 'HEAD' ? Buffer.alloc(0) : await readLimited(res.body, options.maxResponseBytes);
      return { status: res.statusCode, headers: res.headers, body: bytes, url, redirects };
    }
    await res.body.dump();
    if (redirects >= MAX_REDIRECTS) {
      throw new CallError({
        code: 'HTTP_TOO_MANY_REDIRECTS',
        message: `more than ${MAX_REDIRECTS} redirects`,
        retrySafe: false,
      });
    }
    const next = redirectTarget(location, url);
    if (next.origin !== url.origin) {
      headers = without(headers, [...CREDENTIAL_HEADERS, ...req.connectionHeaders]);
    }
    if (becomesGet(res.statusCode, method)) {
      method = 'GET';
      body = null;
      headers = without(headers, ['content-type']);
    }
    url = next;
  }
}

function redirectTarget(location: string, from: URL): URL {
  if (URL.canParse(location, from)) return new URL(location, from);
  throw new CallError({
    code: 'HTTP_INVALID_REDIRECT',
    message: 'the upstream redirected to a malformed URL',
    retrySafe: false,
  });
}

/** RFC 9110 §15.4: 303 turns anything but HEAD into GET; 301/302 do so for POST by long practice. */
function becomesGet(status: number, method: HttpMethod): boolean {
  return (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new CallError({
        code: 'HTTP_RESPONSE_TOO_LARGE',
        message: `the response is larger than ${max} bytes`,
        retrySafe: false,
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function without(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
