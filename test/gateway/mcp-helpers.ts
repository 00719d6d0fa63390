import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import {
  createTaskSessionFromClient,
  type RawClientDispatch,
  type TaskEnabledSession,
} from '@modelcontextprotocol/ext-tasks/client';
import path from 'node:path';
import { repoRoot } from '../helpers/serve-process.js';
import { envelope, MODERN, post, type RawReply } from './helpers.js';

/** The recipes, prompts and resources the gateway's MCP-completeness tests run against. */
export const mcpFixtures = path.join(repoRoot, 'test', 'fixtures', 'recipes-mcp');

export const TASKS = 'io.modelcontextprotocol/tasks';

/** The official v2 client on 2026-07-28 (pinned: server/discover, no initialize). */
export async function modernClient(url: string, name = 'gateway-mcp-test'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/**
 * The Tasks extension's own client (`@modelcontextprotocol/ext-tasks`) over a v2 SDK client. The SDK
 * client cannot frame Tasks traffic, so tools/call and tasks/* go through `rawDispatch`: one POST each,
 * with the standard headers, as any Streamable HTTP client sends them.
 */
export async function tasksSession(url: string): Promise<{ client: Client; session: TaskEnabledSession }> {
  const client = await modernClient(url, 'ext-tasks-test');
  let id = 0;
  const rawDispatch: RawClientDispatch = async (request) => {
    const message = request as { method: string; params?: { name?: string; taskId?: string } };
    const name = message.params?.name ?? message.params?.taskId;
    const headers: Record<string, string> = { 'mcp-protocol-version': MODERN, 'mcp-method': message.method };
    if (name !== undefined) headers['mcp-name'] = name;
    const reply = await post(url, { jsonrpc: '2.0', id: `raw-${++id}`, ...message }, headers);
    return reply.json.error
      ? { kind: 'error', error: reply.json.error }
      : { kind: 'result', result: reply.json.result };
  };
  const session = createTaskSessionFromClient(client, {
    endpointId: 'switchyard-test',
    rawDispatch,
    v2RequestFraming: {
      protocolVersion: MODERN,
      clientInfo: { name: 'ext-tasks-test', version: '1.0.0' },
      clientCapabilities: {},
    },
  });
  return { client, session };
}

/** A raw 2026-07-28 request whose per-request capabilities are `capabilities`. */
export function rawModern(
  url: string,
  method: string,
  params: Record<string, unknown>,
  capabilities: Record<string, unknown> = {},
): Promise<RawReply> {
  const meta = { ...envelope(), 'io.modelcontextprotocol/clientCapabilities': capabilities };
  const headers: Record<string, string> = { 'mcp-protocol-version': MODERN, 'mcp-method': method };
  const name = params.name ?? params.taskId ?? params.uri;
  if (typeof name === 'string') headers['mcp-name'] = name;
  return post(url, { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: meta } }, headers);
}

export const withTasks = { extensions: { [TASKS]: {} } };
