import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernRequest, post, startGateway, type TestGateway } from './helpers.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());

describe('routes', () => {
  it('/healthz is 200 while the process lives; /readyz follows ToolService.ready', async () => {
    expect(await post(`${t.base}/healthz`, null, {}, 'GET')).toMatchObject({
      status: 200,
      json: { status: 'ok' },
    });
    expect(await post(`${t.base}/readyz`, null, {}, 'GET')).toMatchObject({
      status: 200,
      json: { ready: true },
    });
    t.tools.readyState = { ok: false, detail: 'store unreachable' };
    expect(await post(`${t.base}/readyz`, null, {}, 'GET')).toMatchObject({
      status: 503,
      json: { ready: false, detail: 'store unreachable' },
    });
    t.tools.readyState = { ok: true, detail: 'ok' };
  });

  it('unknown paths and unknown servers are 404 JSON', async () => {
    const other = await post(`${t.base}/nope`, {});
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/json');
    expect(other.json).toMatchObject({ error: 'not_found' });
    const server = await post(
      `${t.mcp}/no_such_server`,
      modernRequest('tools/list').body,
      modernRequest('tools/list').headers,
    );
    expect(server.status).toBe(404);
    expect(server.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect((await post(`${t.mcp}/guest/extra`, {})).status).toBe(404);
  });

  it('GET and DELETE on an MCP endpoint are 405 with Allow: POST (no standalone stream, no sessions)', async () => {
    for (const url of [t.mcp, `${t.mcp}/guest`]) {
      for (const method of ['GET', 'DELETE']) {
        const reply = await post(url, null, { accept: 'text/event-stream' }, method);
        expect(reply.status).toBe(405);
        expect(reply.headers.get('allow')).toBe('POST');
      }
    }
  });

  it('a query string does not change the route', async () => {
    const { body, headers } = modernRequest('server/discover');
    expect((await post(`${t.mcp}?x=1`, body, headers)).status).toBe(200);
  });
});

describe('request checks', () => {
  it('an Origin that is not allowed is 403; localhost and configured origins pass', async () => {
    const { body, headers } = modernRequest('server/discover');
    const evil = await post(t.mcp, body, { ...headers, origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.json).toMatchObject({ id: null, error: { code: -32000 } });
    expect((await post(t.mcp, body, { ...headers, origin: 'null' })).status).toBe(403);
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1', 'https://app.example.com']) {
      expect((await post(t.mcp, body, { ...headers, origin })).status, origin).toBe(200);
    }
  });

  it('a content type other than application/json is 415', async () => {
    const { body, headers } = modernRequest('server/discover');
    const reply = await post(t.mcp, body, { ...headers, 'content-type': 'text/plain' });
    expect(reply).toMatchObject({ status: 415, json: { error: { code: -32000 } } });
    expect(
      (await post(t.mcp, body, { ...headers, 'content-type': 'application/json; charset=utf-8' })).status,
    ).toBe(200);
  });

  it('a body over the limit is 413 by Content-Length, before reading it', async () => {
    const { headers } = modernRequest('tools/call', { name: 'echo' });
    const big = JSON.stringify({
      ...modernRequest('tools/call', { name: 'echo', arguments: { message: 'x'.repeat(5000) } }).body,
    });
    const reply = await post(t.mcp, big, headers);
    expect(reply.status).toBe(413);
    expect(reply.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(
      t.tools.submitted.some((r) => String((r.args as { message?: string })?.message).length > 4000),
    ).toBe(false);
  });

  it('a chunked body over the limit is 413 as soon as the limit is passed', async () => {
    const reply = await rawChunked(t.base, [
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"',
      'x'.repeat(3000),
      'y'.repeat(3000),
      '"}}',
    ]);
    expect(reply.statusCode).toBe(413);
    expect(reply.headers.connection).toBe('close');
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: -32000 } });
  });

  it('aborts the ToolService signal when the HTTP client disconnects mid-call', async () => {
    const { body, headers } = modernRequest('tools/call', { name: 'slow', arguments: { wait_ms: 30_000 } });
    const controller = new AbortController();
    const pending = fetch(t.mcp, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: controller.signal,
    }).catch(() => null);
    await until(() => t.tools.submitted.some((r) => r.tool === 'slow'));
    controller.abort();
    await pending;
    await until(() => t.tools.aborted.length > 0);
    expect(t.tools.aborted[0]).toMatch(/^call_slow_/);
  });
});

describe('lifecycle', () => {
  it('reports its url, and close() is idempotent', async () => {
    const g = await startGateway();
    expect(g.gateway.url).toBe(g.base);
    await Promise.all([g.close(), g.close()]);
    await g.close();
    await expect(fetch(`${g.base}/healthz`)).rejects.toThrow();
  });
});

/** A chunked POST (no Content-Length) through node:http, so the limit is hit while streaming. */
function rawChunked(base: string, chunks: string[]): Promise<http.IncomingMessage & { body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/mcp`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(Object.assign(res, { body })));
      },
    );
    req.on('error', reject);
    const write = (i: number): void => {
      if (i === chunks.length) req.end();
      else req.write(chunks[i], () => setTimeout(() => write(i + 1), 5));
    };
    write(0);
  });
}

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
