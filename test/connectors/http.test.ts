import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CallError } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/json.js';
import type { ResolvedConnection } from '../../src/connectors/connector.js';
import { createHttpConnector } from '../../src/connectors/http/index.js';
import {
  actionContext,
  effectOf,
  expectCallError,
  runAction,
  sendJson,
  startServer,
  STEP_KEY,
  type TestServer,
} from './helpers.js';

const http = createHttpConnector();
let servers: TestServer[] = [];

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
afterAll(() => http.close?.());

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

/** A connection to `base`, with 127.0.0.1 allow-listed (the test servers live there) unless overridden. */
function connection(base: string, config: JsonObject = {}): ResolvedConnection {
  return {
    name: 'api',
    connector: 'http',
    config: { base_url: base, allow_hosts: ['127.0.0.1'], timeout: 5000, ...config },
    secrets: {},
  };
}

const run = (action: string, input: JsonObject, conn: ResolvedConnection | null, signal?: AbortSignal) =>
  runAction(http, action, input, actionContext(conn, signal ? { signal } : {}));

describe('http connector: requests and responses', () => {
  it('round-trips JSON and keeps header values out of the audit', async () => {
    const s = await server((a, res) =>
      sendJson(
        res,
        201,
        { got: JSON.parse(a.body) as unknown, path: a.path },
        { 'x-request-id': 'r-1', 'set-cookie': 'sid=1' },
      ),
    );
    const conn = connection(`${s.url}/v1`, { headers: { Authorization: 'Bearer sekret' } });
    const result = await run(
      'post',
      {
        path: '/things',
        query: { tag: ['a', 'b'], n: 2 },
        body: { name: 'Ada' },
        response_headers: ['x-request-id', 'set-cookie'],
      },
      conn,
    );

    expect(result.output).toEqual({
      status: 201,
      headers: { 'content-type': 'application/json', 'x-request-id': 'r-1' },
      body: { got: { name: 'Ada' }, path: '/v1/things?tag=a&tag=b&n=2' },
    });
    const [arrival] = s.arrivals;
    expect(arrival?.method).toBe('POST');
    expect(arrival?.headers['content-type']).toBe('application/json');
    expect(arrival?.headers.authorization).toBe('Bearer sekret');
    expect(arrival?.headers['idempotency-key']).toBeUndefined();
    expect(result.request).toMatchObject({
      method: 'POST',
      url: `${s.url}/v1/things?tag=a&tag=b&n=2`,
      body_bytes: 14,
      idempotency_key: false,
    });
    expect(result.request).toMatchObject({
      headers: expect.arrayContaining(['authorization', 'content-type']) as string[],
    });
    expect(result.response).toMatchObject({ status: 201, tries: 1, redirects: 0 });
    expect(JSON.stringify([result.request, result.response])).not.toContain('sekret');
  });

  it('returns text bodies as text, and the request action takes its method from the input', async () => {
    const s = await server((a, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${a.method} ok`);
    });
    const result = await run('request', { method: 'PUT', path: 'x', body: 'raw' }, connection(s.url));
    expect(result.output).toMatchObject({ status: 200, body: 'PUT ok' });
    expect(s.arrivals[0]?.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('maps a 404 to HTTP_404, not retry-safe and not retried', async () => {
    const s = await server((_a, res) => sendJson(res, 404, { error: 'nope' }));
    await expectCallError(run('get', { path: '/missing' }, connection(s.url)), {
      code: 'HTTP_404',
      retrySafe: false,
      details: { upstream_status: 404 },
    });
    expect(s.arrivals).toHaveLength(1);
  });

  it('refuses a path that would leave the base origin', async () => {
    await expectCallError(run('get', { path: '//evil.example/x' }, connection('http://127.0.0.1:9')), {
      code: 'HTTP_INVALID_REQUEST',
    });
    await expectCallError(run('get', { path: 'https://evil.example/x' }, connection('http://127.0.0.1:9')), {
      code: 'HTTP_INVALID_REQUEST',
    });
  });

  it('refuses to run without a connection, or with a malformed one', async () => {
    await expectCallError(run('get', { url: 'http://127.0.0.1:9/' }, null), { code: 'CONNECTION_INVALID' });
    await expectCallError(run('get', { path: '/' }, connection('http://127.0.0.1:9', { retries: -1 })), {
      code: 'CONNECTION_INVALID',
    });
  });

  it('declares effects from the method and the idempotency-key opt-in', () => {
    expect(effectOf(http, 'get', { path: '/' })).toBe('none');
    expect(effectOf(http, 'put', { path: '/' })).toBe('keyed');
    expect(effectOf(http, 'delete', { path: '/' })).toBe('keyed');
    expect(effectOf(http, 'post', { path: '/' })).toBe('unsafe');
    expect(effectOf(http, 'patch', { path: '/', idempotency_key: true })).toBe('keyed');
    expect(effectOf(http, 'request', { path: '/' })).toBe('none');
    expect(effectOf(http, 'request', { method: 'POST', path: '/' })).toBe('unsafe');
  });
});

describe('http connector: retries', () => {
  it('retries a 503 and then succeeds', async () => {
    const s = await server((_a, res) =>
      s.arrivals.length < 3 ? sendJson(res, 503, {}) : sendJson(res, 200, { ok: true }),
    );
    const result = await run('get', { path: '/flaky' }, connection(s.url));
    expect(result.output).toMatchObject({ status: 200, body: { ok: true } });
    expect(s.arrivals).toHaveLength(3);
    expect(result.response).toMatchObject({ tries: 3 });
  });

  it('gives up after the configured retries with a retry-safe UPSTREAM_UNAVAILABLE', async () => {
    const s = await server((_a, res) => sendJson(res, 502, {}));
    await expectCallError(run('get', { path: '/down' }, connection(s.url, { retries: 1 })), {
      code: 'UPSTREAM_UNAVAILABLE',
      retrySafe: true,
    });
    expect(s.arrivals).toHaveLength(2);
  });

  it('honours Retry-After in delta-seconds on a 429', async () => {
    let retryAt = 0;
    const s = await server((_a, res) => {
      if (s.arrivals.length > 1) return sendJson(res, 200, { ok: true });
      // The server's clock names the earliest allowed retry; the retry's arrival must come after it.
      retryAt = Date.now() + 1000;
      sendJson(res, 429, {}, { 'retry-after': '1' });
    });
    const result = await run('get', { path: '/limited' }, connection(s.url));
    expect(result.output).toMatchObject({ status: 200 });
    expect(result.response).toMatchObject({ tries: 2 });
    expect(s.arrivals).toHaveLength(2);
    expect(s.arrivals[1]?.at).toBeGreaterThanOrEqual(retryAt);
  });

  it('does not retry before the instant an HTTP-date Retry-After names', async () => {
    let retryAt = 0;
    const s = await server((_a, res) => {
      if (s.arrivals.length > 1) return sendJson(res, 200, { ok: true });
      // An HTTP-date has whole seconds: name the second after next, so the instant is at least a second away.
      retryAt = (Math.floor(Date.now() / 1000) + 2) * 1000;
      sendJson(res, 429, {}, { 'retry-after': new Date(retryAt).toUTCString() });
    });
    await run('get', { path: '/limited' }, connection(s.url));
    expect(s.arrivals).toHaveLength(2);
    expect(s.arrivals[1]?.at).toBeGreaterThanOrEqual(retryAt);
  });

  it('hands a long Retry-After to the worker instead of waiting inside the action', async () => {
    const s = await server((_a, res) => sendJson(res, 429, {}, { 'retry-after': '3600' }));
    await expectCallError(run('get', { path: '/limited' }, connection(s.url)), {
      code: 'RATE_LIMITED',
      retrySafe: true,
      retryAfterMs: 3_600_000,
    });
    expect(s.arrivals).toHaveLength(1);
  });

  it('does not repeat an unsafe POST, and says its outcome is unknown', async () => {
    const s = await server((_a, res) => sendJson(res, 503, {}));
    const error = await expectCallError(
      run('post', { path: '/charge', body: { amount: 5 } }, connection(s.url)),
      {
        code: 'UPSTREAM_UNAVAILABLE',
        retrySafe: false,
      },
    );
    expect(error.message).toMatch(/may have been applied/);
    expect(s.arrivals).toHaveLength(1);
  });

  it('sends the step key as Idempotency-Key when opted in, and then retries the POST', async () => {
    const s = await server((_a, res) =>
      s.arrivals.length < 3 ? sendJson(res, 503, {}) : sendJson(res, 200, { charged: true }),
    );
    const input = { path: '/charge', body: { amount: 5 }, idempotency_key: true };
    expect(effectOf(http, 'post', input)).toBe('keyed');
    const result = await run('post', input, connection(s.url));
    expect(result.output).toMatchObject({ status: 200, body: { charged: true } });
    expect(s.arrivals.map((a) => a.headers['idempotency-key'])).toEqual([STEP_KEY, STEP_KEY, STEP_KEY]);
    expect(result.request).toMatchObject({ idempotency_key: true });
  });

  it('times out a try with STEP_TIMEOUT, retry-safe and retried for a GET', async () => {
    const s = await server(() => undefined); // never answers
    await expectCallError(run('get', { path: '/slow' }, connection(s.url, { timeout: 150, retries: 1 })), {
      code: 'STEP_TIMEOUT',
      retrySafe: true,
    });
    expect(s.arrivals).toHaveLength(2);
  });

  it('times out an unsafe POST once, not retry-safe', async () => {
    const s = await server(() => undefined);
    await expectCallError(run('post', { path: '/slow', body: {} }, connection(s.url, { timeout: '150ms' })), {
      code: 'STEP_TIMEOUT',
      retrySafe: false,
    });
    expect(s.arrivals).toHaveLength(1);
  });

  it('stops at once when the step is aborted, with the abort reason', async () => {
    const s = await server(() => undefined);
    const controller = new AbortController();
    const reason = new CallError({ code: 'CANCELLED', message: 'cancelled by operator', retrySafe: false });
    const pending = run('get', { path: '/slow' }, connection(s.url), controller.signal);
    while (s.arrivals.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('retries a refused connection even for an unsafe POST: nothing was sent', async () => {
    const s = await server(() => undefined);
    const base = s.url;
    await s.close();
    servers = [];
    await expectCallError(run('post', { path: '/x', body: {} }, connection(base, { retries: 1 })), {
      code: 'UPSTREAM_UNAVAILABLE',
      retrySafe: true,
    });
  });

  it('refuses a response larger than max_response_bytes', async () => {
    const s = await server((_a, res) => sendJson(res, 200, { blob: 'x'.repeat(5000) }));
    await expectCallError(run('get', { path: '/' }, connection(s.url, { max_response_bytes: 1000 })), {
      code: 'HTTP_RESPONSE_TOO_LARGE',
      retrySafe: false,
    });
  });
});

describe('http connector: redirects and the SSRF guard', () => {
  it('follows a redirect and drops credentials when it changes origin', async () => {
    const other = await server((_a, res) => sendJson(res, 200, { here: 'other' }));
    const s = await server((a, res) => {
      if (a.path === '/same') return sendJson(res, 302, {}, { location: '/final' });
      if (a.path === '/away') return sendJson(res, 307, {}, { location: `${other.url}/landing` });
      sendJson(res, 200, { here: 'final' });
    });
    const conn = connection(s.url, { headers: { authorization: 'Bearer sekret', 'x-tenant': 't1' } });

    const same = await run('get', { path: '/same' }, conn);
    expect(same.output).toMatchObject({ body: { here: 'final' } });
    expect(same.response).toMatchObject({ redirects: 1, url: `${s.url}/final` });
    expect(s.arrivals.at(-1)?.headers.authorization).toBe('Bearer sekret');

    const away = await run('get', { path: '/away' }, conn);
    expect(away.output).toMatchObject({ body: { here: 'other' } });
    expect(other.arrivals[0]?.headers.authorization).toBeUndefined();
    expect(other.arrivals[0]?.headers['x-tenant']).toBeUndefined();
  });

  it('turns a POST into a GET on 303 and drops the body', async () => {
    const s = await server((a, res) =>
      a.path === '/submit'
        ? sendJson(res, 303, {}, { location: '/result' })
        : sendJson(res, 200, { method: a.method, body: a.body }),
    );
    const result = await run(
      'post',
      { path: '/submit', body: { a: 1 }, idempotency_key: true },
      connection(s.url),
    );
    expect(result.output).toMatchObject({ body: { method: 'GET', body: '' } });
  });

  it('stops after five redirects', async () => {
    const s = await server((a, res) => sendJson(res, 302, {}, { location: `/loop${s.arrivals.length}` }));
    await expectCallError(run('get', { path: '/loop' }, connection(s.url)), {
      code: 'HTTP_TOO_MANY_REDIRECTS',
      retrySafe: false,
    });
    expect(s.arrivals).toHaveLength(6);
  });

  it('rejects a redirect to a blocked address', async () => {
    const s = await server((_a, res) =>
      sendJson(res, 302, {}, { location: 'http://169.254.169.254/latest/meta-data/' }),
    );
    await expectCallError(run('get', { path: '/go' }, connection(s.url)), {
      code: 'SSRF_BLOCKED',
      retrySafe: false,
    });
    expect(s.arrivals).toHaveLength(1);
  });

  it('rejects a redirect to another scheme', async () => {
    const s = await server((_a, res) => sendJson(res, 302, {}, { location: 'file:///etc/passwd' }));
    await expectCallError(run('get', { path: '/go' }, connection(s.url)), { code: 'SSRF_BLOCKED' });
  });

  it('blocks 127.0.0.1 when it is not allow-listed', async () => {
    const s = await server((_a, res) => sendJson(res, 200, {}));
    await expectCallError(run('get', { path: '/' }, connection(s.url, { allow_hosts: [] })), {
      code: 'SSRF_BLOCKED',
      retrySafe: false,
    });
    expect(s.arrivals).toHaveLength(0);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0.0.0.0/',
    'http://2130706433/',
    'http://10.0.0.8/',
  ])('blocks %s before connecting', async (url) => {
    await expectCallError(run('get', { url }, connection('http://127.0.0.1:9', { allow_hosts: [] })), {
      code: 'SSRF_BLOCKED',
      retrySafe: false,
    });
  });

  it('blocks a host name that resolves to a loopback address (localhost)', async () => {
    const s = await server((_a, res) => sendJson(res, 200, {}));
    await expectCallError(
      run('get', { url: `http://localhost:${s.port}/` }, connection(s.url, { allow_hosts: [] })),
      { code: 'SSRF_BLOCKED', retrySafe: false },
    );
    expect(s.arrivals).toHaveLength(0);
  });

  it('lets an allow-listed host name through whatever it resolves to', async () => {
    const s = await server((_a, res) => sendJson(res, 200, { ok: true }));
    const result = await run(
      'get',
      { url: `http://localhost:${s.port}/` },
      connection(s.url, { allow_hosts: ['localhost'] }),
    );
    expect(result.output).toMatchObject({ status: 200 });
  });
});
