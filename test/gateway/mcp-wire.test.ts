import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, legacyRequest, modernRequest, post, startGateway, type TestGateway } from './helpers.js';

// Codes and statuses follow the SDK's inbound validation ladder (classifyInboundRequest and the
// LADDER_ERROR_HTTP_STATUS table of @modelcontextprotocol/server 2.4): -32020 HeaderMismatch 400,
// -32022 UnsupportedProtocolVersion 400, envelope problems -32602 400, parse/shape errors 400,
// method-not-found 404 on 2026-07-28; errors a method answers stay in-band on 200.

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());

const SERVER_INFO = { 'io.modelcontextprotocol/serverInfo': { name: 'switchyard', version: '0.1.0' } };

describe('2026-07-28 results', () => {
  it('server/discover: supported versions, capabilities, instructions and the SDK encode stamps', async () => {
    const { body, headers } = modernRequest('server/discover');
    const reply = await post(t.mcp, body, headers);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(reply.json).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {
        supportedVersions: ['2026-07-28'],
        capabilities: { tools: { listChanged: false } },
        instructions: expect.stringContaining('retry_safe'),
        resultType: 'complete',
        ttlMs: 0,
        cacheScope: 'private',
        _meta: SERVER_INFO,
      },
    });
  });

  it('tools/list is a cacheable result (ttlMs, cacheScope) and tools/call a complete one, both with serverInfo', async () => {
    const list = await post(t.mcp, ...args(modernRequest('tools/list')));
    expect(list.json.result).toMatchObject({
      resultType: 'complete',
      ttlMs: 0,
      cacheScope: 'private',
      _meta: SERVER_INFO,
    });
    const call = await post(
      t.mcp,
      ...args(modernRequest('tools/call', { name: 'echo', arguments: { message: 'x' } }, 'abc')),
    );
    expect(call.json.id).toBe('abc');
    expect(call.json.result).toMatchObject({
      resultType: 'complete',
      _meta: SERVER_INFO,
      structuredContent: { success: true, data: { message: 'x' } },
    });
    expect(call.json.result).not.toHaveProperty('ttlMs');
  });

  it('a notification is accepted with 202 and no body', async () => {
    const reply = await post(
      t.mcp,
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: envelope() } },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'notifications/cancelled' },
    );
    expect(reply).toMatchObject({ status: 202, text: '' });
  });
});

describe('2025-era stateless serving', () => {
  it('initialize answers the requested version when served, else the latest 2025 one, and never a session', async () => {
    for (const [requested, answered] of [
      ['2025-11-25', '2025-11-25'],
      ['2025-06-18', '2025-06-18'],
      ['2025-03-26', '2025-03-26'],
      ['2024-11-05', '2025-11-25'],
      ['1999-01-01', '2025-11-25'],
    ]) {
      const reply = await post(
        t.mcp,
        ...args(
          legacyRequest(
            'initialize',
            { protocolVersion: requested, capabilities: {}, clientInfo: { name: 'c', version: '1' } },
            null,
          ),
        ),
      );
      expect(reply.status).toBe(200);
      expect(reply.json.result).toEqual({
        protocolVersion: answered,
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: 'switchyard', version: '0.1.0' },
        instructions: expect.any(String),
      });
    }
  });

  it('notifications/initialized is 202 with no body; results carry no 2026 stamps', async () => {
    expect(
      await post(
        t.mcp,
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { 'mcp-protocol-version': '2025-11-25' },
      ),
    ).toMatchObject({ status: 202, text: '' });
    const list = await post(t.mcp, ...args(legacyRequest('tools/list')));
    expect(list.status).toBe(200);
    expect(Object.keys(list.json.result)).toEqual(['tools']);
    const call = await post(
      t.mcp,
      ...args(legacyRequest('tools/call', { name: 'echo', arguments: { message: 'old' } }, '2025-06-18')),
    );
    expect(call.json.result).not.toHaveProperty('resultType');
    expect(call.json.result.structuredContent).toMatchObject({ success: true, data: { message: 'old' } });
    expect(t.tools.submitted.at(-1)?.meta).toEqual({ protocolVersion: '2025-06-18' });
    const noHeader = await post(t.mcp, ...args(legacyRequest('ping', {}, null)));
    expect(noHeader.json).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });
});

describe('protocol errors', () => {
  it('malformed JSON is -32700 (400) with a null id', async () => {
    const reply = await post(t.mcp, '{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('a batch is -32600 (400), whatever its elements', async () => {
    for (const batch of [[legacyRequest('ping').body], [modernRequest('tools/list').body], []]) {
      const reply = await post(t.mcp, batch, { 'mcp-protocol-version': '2025-11-25' });
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ id: null, error: { code: -32600 } });
    }
  });

  it('a body that is not a JSON-RPC message is -32600 (400)', async () => {
    const reply = await post(t.mcp, { hello: 'world' });
    expect(reply).toMatchObject({ status: 400, json: { error: { code: -32600 } } });
  });

  it('an unknown method is -32601: 404 on 2026-07-28 (ping and initialize included), in-band 200 on 2025', async () => {
    for (const method of ['no/such', 'ping', 'initialize', 'resources/list']) {
      const reply = await post(t.mcp, ...args(modernRequest(method, {}, 7)));
      expect(reply.status).toBe(404);
      expect(reply.json).toMatchObject({ id: 7, error: { code: -32601 } });
    }
    const legacy = await post(t.mcp, ...args(legacyRequest('server/discover', {}, '2025-11-25', 8)));
    expect(legacy.status).toBe(200);
    expect(legacy.json).toMatchObject({ id: 8, error: { code: -32601 } });
  });

  it('an unknown tool and a missing or invalid params.name are -32602, in-band', async () => {
    for (const params of [{ name: 'nope', arguments: {} }, { arguments: {} }, { name: 42 }]) {
      const reply = await post(t.mcp, ...args(modernRequest('tools/call', params, 3)));
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ id: 3, error: { code: -32602 } });
    }
    const legacy = await post(t.mcp, ...args(legacyRequest('tools/call', { name: 'nope' })));
    expect(legacy).toMatchObject({
      status: 200,
      json: { error: { code: -32602, message: 'Unknown tool: nope' } },
    });
  });

  it('Mcp-Method disagreeing with the body is -32020 (400)', async () => {
    const { body, headers } = modernRequest('tools/list');
    const reply = await post(t.mcp, body, { ...headers, 'mcp-method': 'tools/call' });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({
      id: 1,
      error: { code: -32020, data: { mismatch: { header: 'tools/call' } } },
    });
  });

  it('Mcp-Name disagreeing with params.name, or an invalid Base64 sentinel, is -32020 (400)', async () => {
    const { body, headers } = modernRequest('tools/call', { name: 'echo', arguments: {} });
    for (const name of ['boom', '=?base64?not base64?=']) {
      const reply = await post(t.mcp, body, { ...headers, 'mcp-name': name });
      expect(reply).toMatchObject({ status: 400, json: { error: { code: -32020 } } });
    }
    const encoded = await post(t.mcp, body, {
      ...headers,
      'mcp-name': `=?base64?${Buffer.from('echo').toString('base64')}?=`,
    });
    expect(encoded.status).toBe(200);
  });

  it('MCP-Protocol-Version disagreeing with the envelope is -32020 (400)', async () => {
    const { body, headers } = modernRequest('tools/list');
    const reply = await post(t.mcp, body, { ...headers, 'mcp-protocol-version': '2025-11-25' });
    expect(reply).toMatchObject({ status: 400, json: { error: { code: -32020 } } });
  });

  it('a 2026-07-28 request missing a required header is -32020 (400)', async () => {
    const call = modernRequest('tools/call', { name: 'echo', arguments: {} });
    for (const missing of ['mcp-protocol-version', 'mcp-method', 'mcp-name']) {
      const headers = { ...call.headers };
      delete headers[missing];
      const reply = await post(t.mcp, call.body, headers);
      expect(reply.status, missing).toBe(400);
      expect(reply.json.error.code, missing).toBe(-32020);
      expect(reply.json.error.message, missing).toMatch(/header/i);
    }
  });

  it('an unsupported protocol version is -32022 (400) naming what is supported', async () => {
    const future = modernRequest('tools/list');
    (future.body.params._meta as Record<string, unknown>)['io.modelcontextprotocol/protocolVersion'] =
      '2099-01-01';
    const modern = await post(t.mcp, future.body, {
      ...future.headers,
      'mcp-protocol-version': '2099-01-01',
    });
    expect(modern.status).toBe(400);
    expect(modern.json.error).toMatchObject({
      code: -32022,
      data: { supported: ['2026-07-28'], requested: '2099-01-01' },
    });

    const legacy = await post(t.mcp, ...args(legacyRequest('tools/list', {}, '1999-01-01')));
    expect(legacy.status).toBe(400);
    expect(legacy.json.error).toMatchObject({
      code: -32022,
      data: { supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'], requested: '1999-01-01' },
    });
  });

  it('a 2026-07-28 header without the _meta envelope, or a malformed envelope, is -32602 (400)', async () => {
    const bare = await post(
      t.mcp,
      { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} },
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
    );
    expect(bare).toMatchObject({ status: 400, json: { error: { code: -32602 } } });
    const { body, headers } = modernRequest('tools/list');
    delete (body.params._meta as Record<string, unknown>)['io.modelcontextprotocol/clientCapabilities'];
    const partial = await post(t.mcp, body, headers);
    expect(partial).toMatchObject({ status: 400, json: { error: { code: -32602 } } });
  });

  it('an unexpected exception is a generic -32603 (500); the detail is logged, never sent', async () => {
    const reply = await post(
      t.mcp,
      ...args(modernRequest('tools/call', { name: 'crash', arguments: {} }, 9)),
    );
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32603, message: 'Internal error' } });
    expect(reply.text).not.toContain('SQLITE');
    expect(t.logged.at(-1)?.fields.error).toContain('SQLITE_CORRUPT');
  });
});

function args(request: {
  body: unknown;
  headers: Record<string, string>;
}): [unknown, Record<string, string>] {
  return [request.body, request.headers];
}
