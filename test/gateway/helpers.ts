import { expect } from 'vitest';
import {
  createGatewayServer,
  type GatewayServer,
  type GatewayServerOptions,
} from '../../src/gateway/http-server.js';
import { createFakeTools, type FakeTools } from './fake-tools.js';

export interface TestGateway {
  tools: FakeTools;
  gateway: GatewayServer;
  /** http://127.0.0.1:PORT */
  base: string;
  /** The default server's endpoint. */
  mcp: string;
  logged: { fields: Record<string, unknown>; message: string }[];
  close(): Promise<void>;
}

/** The gateway on 127.0.0.1, a free port, in front of the in-test ToolService; logs are captured, not printed. */
export async function startGateway(overrides: Partial<GatewayServerOptions> = {}): Promise<TestGateway> {
  const tools = createFakeTools();
  const logged: TestGateway['logged'] = [];
  const gateway = createGatewayServer({
    tools,
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 4096,
    allowedOrigins: ['https://app.example.com'],
    logger: { error: (fields, message) => logged.push({ fields, message }) },
    closeGraceMs: 100,
    ...overrides,
  });
  const { port } = await gateway.listen();
  const base = `http://127.0.0.1:${port}`;
  return { tools, gateway, base, mcp: `${base}/mcp`, logged, close: () => gateway.close() };
}

export const MODERN = '2026-07-28';

/** The 2026-07-28 per-request envelope, as the v2 client sends it. */
export function envelope(version = MODERN): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'raw-fetch', version: '1.0.0' },
  };
}

/** A well-formed 2026-07-28 request: envelope in `_meta` and the SEP-2243 headers mirroring the body. */
export function modernRequest(method: string, params: Record<string, unknown> = {}, id: number | string = 1) {
  const body = {
    jsonrpc: '2.0',
    id,
    method,
    params: { ...params, _meta: { ...envelope(), ...(params._meta as object) } },
  };
  const headers: Record<string, string> = { 'mcp-protocol-version': MODERN, 'mcp-method': method };
  if (typeof params.name === 'string') headers['mcp-name'] = params.name;
  return { body, headers };
}

/** A 2025-era request: no envelope, the version (if any) only in the header. */
export function legacyRequest(
  method: string,
  params: Record<string, unknown> = {},
  version: string | null = '2025-11-25',
  id: number | string = 1,
) {
  const headers: Record<string, string> = version ? { 'mcp-protocol-version': version } : {};
  return { body: { jsonrpc: '2.0', id, method, params }, headers };
}

export interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, asserted field by field
  json: any;
}

/**
 * POSTs raw JSON (or a raw string) the way an MCP client would. Asserts on every reply the one rule that
 * holds for all of them: the gateway never mints a session.
 */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<RawReply> {
  const res = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body:
      method === 'GET' || method === 'HEAD'
        ? undefined
        : typeof body === 'string'
          ? body
          : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.headers.get('mcp-session-id')).toBeNull();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : null };
}
