import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolEnvelope } from '../../src/gateway/results.js';
import { startGateway, type TestGateway } from './helpers.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway();
});
afterAll(async () => t.close());

/** The official v2 client, negotiating 2026-07-28 through server/discover (pinned: no fallback to initialize). */
async function modernClient(
  url: string,
  headers: Record<string, string> = {},
  mode: 'auto' | { pin: string } = { pin: '2026-07-28' },
): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' }, { versionNegotiation: { mode } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** Every fetch the v1 client makes, so the test can check for session ids and the methods sent. */
function recordingFetch(log: { method: string; status: number; sessionId: string | null }[]): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    log.push({
      method: init?.method ?? 'GET',
      status: res.status,
      sessionId: res.headers.get('mcp-session-id'),
    });
    return res;
  };
}

describe('the official v2 client (2026-07-28)', () => {
  it('negotiates the stateless revision via server/discover and reads the server identity from _meta', async () => {
    for (const mode of [{ pin: '2026-07-28' }, 'auto'] as const) {
      const client = await modernClient(t.mcp, {}, mode);
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect(client.getServerVersion()).toEqual({ name: 'switchyard', version: '0.1.0' });
      expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: false });
      expect(client.getInstructions()).toContain('Idempotency-Key');
      await client.close();
    }
  });

  it('lists tools with title, annotations, the envelope as outputSchema and _meta guarantees', async () => {
    const client = await modernClient(t.mcp);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['echo', 'boom', 'slow', 'strict', 'limited', 'crash']);
    const echo = tools.find((tool) => tool.name === 'echo')!;
    expect(echo).toMatchObject({
      title: 'Echo',
      description: 'the echo tool',
      annotations: { readOnlyHint: true },
    });
    expect(echo.outputSchema).toMatchObject({
      type: 'object',
      properties: { success: { type: 'boolean' }, data: { properties: { message: { type: 'string' } } } },
    });
    expect(echo._meta?.['dev.switchyard/guarantees']).toEqual({ durable: 'yes' });
    expect(tools.find((tool) => tool.name === 'boom')).not.toHaveProperty('title');
    await client.close();
  });

  it('lists only the tools of a named server at /mcp/{server}', async () => {
    const client = await modernClient(`${t.mcp}/guest`);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
    await client.close();
  });

  it('calls a tool: structuredContent envelope plus exactly one text block with the same JSON', async () => {
    const client = await modernClient(t.mcp);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    const envelope = result.structuredContent as ToolEnvelope;
    expect(envelope).toEqual({
      success: true,
      data: { message: 'hi' },
      call_id: expect.stringMatching(/^call_echo_/),
    });
    expect(result.isError).toBeFalsy();
    const content = result.content as { type: string; text: string }[];
    expect(content).toHaveLength(1);
    expect(content[0]!.type).toBe('text');
    expect(JSON.parse(content[0]!.text)).toEqual(envelope);
    await client.close();
  });

  it('a business failure, a rejection and a long call are tool results with isError, not protocol errors', async () => {
    const client = await modernClient(t.mcp);
    const boom = await client.callTool({ name: 'boom', arguments: {} });
    expect(boom.isError).toBe(true);
    expect(boom.structuredContent).toEqual({
      success: false,
      error_code: 'ROOM_NOT_VACANT',
      error_message: 'Room 101 is occupied',
      retry_safe: false,
      call_id: expect.stringMatching(/^call_boom_/),
    });

    const invalid = await client.callTool({ name: 'strict', arguments: {} });
    expect(invalid.isError).toBe(true);
    expect(invalid.structuredContent).toMatchObject({
      success: false,
      error_code: 'INVALID_ARGUMENTS',
      retry_safe: false,
      call_id: null,
    });
    expect((invalid.structuredContent as { error_message: string }).error_message).toContain('"room_number"');

    const slow = await client.callTool({ name: 'slow', arguments: {} });
    expect(slow.isError).toBe(true);
    expect(slow.structuredContent).toMatchObject({
      success: false,
      error_code: 'CALL_IN_PROGRESS',
      retry_safe: true,
      call_id: expect.stringMatching(/^call_slow_/),
    });

    const limited = await client.callTool({ name: 'limited', arguments: {} });
    expect(limited.structuredContent).toMatchObject({
      error_code: 'RATE_LIMITED',
      retry_safe: true,
      retry_after_ms: 1500,
    });
    for (const result of [boom, invalid, slow, limited])
      expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(result.structuredContent);
    await client.close();
  });

  it('an unknown tool is a JSON-RPC -32602, not a tool result', async () => {
    const client = await modernClient(t.mcp);
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
    await client.close();
    // a tool that exists, but not on this server
    const guest = await modernClient(`${t.mcp}/guest`);
    await expect(guest.callTool({ name: 'boom', arguments: {} })).rejects.toMatchObject({ code: -32602 });
    await guest.close();
  });

  it('passes the Idempotency-Key header, the _meta key, the protocol version and client name to the ToolService', async () => {
    const client = await modernClient(t.mcp, { 'Idempotency-Key': 'header-key-1' });
    await client.callTool({
      name: 'echo',
      arguments: { message: 'k' },
      _meta: { 'dev.switchyard/idempotency-key': 'meta-key-1' },
    });
    const request = t.tools.submitted.at(-1)!;
    expect(request).toMatchObject({
      server: 'default',
      tool: 'echo',
      args: { message: 'k' },
      headerKey: 'header-key-1',
      metaKey: 'meta-key-1',
    });
    // The kinds of input request the client can answer (an `ask` asks through these only): none declared.
    expect(request.meta).toEqual({
      protocolVersion: '2026-07-28',
      clientName: 'gateway-test',
      inputCapabilities: [],
    });
    expect(request.signal).toBeInstanceOf(AbortSignal);
    await client.close();
  });
});

describe('the official v1 client (2025-11-25, stateless)', () => {
  it('initializes without a session, lists and calls tools, and pings', async () => {
    const log: { method: string; status: number; sessionId: string | null }[] = [];
    const client = new V1Client({ name: 'v1-client', version: '1.0.0' });
    await client.connect(new V1Transport(new URL(t.mcp), { fetch: recordingFetch(log) }));
    expect(client.getServerVersion()).toEqual({ name: 'switchyard', version: '0.1.0' });
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: false });

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'legacy' } });
    expect(result.structuredContent).toMatchObject({ success: true, data: { message: 'legacy' } });
    const failed = await client.callTool({ name: 'boom', arguments: {} });
    expect(failed.isError).toBe(true);
    await expect(client.ping()).resolves.toEqual({});
    await client.close();

    expect(log.every((entry) => entry.sessionId === null)).toBe(true);
    // initialize, notifications/initialized (202), the standalone-stream GET (405: we offer none), then the calls
    expect(log.map((entry) => `${entry.method} ${entry.status}`).slice(0, 3)).toEqual([
      'POST 200',
      'POST 202',
      'GET 405',
    ]);
    expect(t.tools.submitted.at(-1)?.meta).toEqual({ protocolVersion: '2025-11-25' });
  });
});
