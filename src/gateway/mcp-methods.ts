import {
  CLIENT_INFO_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type DiscoverResult,
  type Implementation,
  type InitializeResult,
  type ListToolsResult,
  type Tool,
} from '@modelcontextprotocol/server';
import { isPlainObject, type JsonObject } from '../core/json.js';
import {
  IDEMPOTENCY_META_KEY,
  LEGACY_VERSIONS,
  MODERN_VERSION,
  SERVER_CAPABILITIES,
  type Era,
  type McpHeaders,
} from './mcp-protocol.js';
import { toCallToolResult } from './results.js';
import type { ToolDescriptor, ToolService } from './tool-service.js';

/** What a method sees of the request besides its params. */
export interface MethodContext {
  server: string;
  era: Era;
  /** The revision the request was made under: the envelope's, the header's, or the 2025 default. */
  protocolVersion: string;
  headers: McpHeaders;
  /** Aborted when the HTTP client goes away. */
  signal: AbortSignal;
}

export type McpParams = Record<string, unknown>;
/** A method returns a fresh result object, which the dispatcher may stamp in place. */
export type McpMethod = (params: McpParams, context: MethodContext) => object | Promise<object>;

export interface McpMethodsOptions {
  tools: ToolService;
  serverInfo: Implementation;
  instructions: string;
}

/**
 * The few methods Switchyard serves, per era. The 2026-07-28 registry has no `initialize` and no `ping`
 * (the SDK's rev2026 registry answers both with method-not-found); `server/discover` exists only there.
 */
export function createMcpMethods(options: McpMethodsOptions): Record<Era, ReadonlyMap<string, McpMethod>> {
  const { tools, serverInfo, instructions } = options;
  // ToolService caches descriptor arrays per release, so the wire form is built once per release too.
  const wireTools = new WeakMap<ToolDescriptor[], Tool[]>();

  const discover: McpMethod = (): DiscoverResult => ({
    supportedVersions: [MODERN_VERSION],
    capabilities: SERVER_CAPABILITIES,
    instructions,
  });

  const initialize: McpMethod = (params): InitializeResult => {
    const requested = params.protocolVersion;
    const protocolVersion =
      typeof requested === 'string' && LEGACY_VERSIONS.includes(requested)
        ? requested
        : (LEGACY_VERSIONS[0] as string);
    return { protocolVersion, capabilities: SERVER_CAPABILITIES, serverInfo, instructions };
  };

  const listTools: McpMethod = async (_params, context): Promise<ListToolsResult> => {
    // The HTTP layer answered 404 for an unknown server (ToolService.hasServer) before reading the body.
    const descriptors = (await tools.listTools(context.server)) ?? [];
    let list = wireTools.get(descriptors);
    if (!list) wireTools.set(descriptors, (list = descriptors.map(toWireTool)));
    return { tools: list };
  };

  const callTool: McpMethod = async (params, context): Promise<CallToolResult> => {
    const name = params.name;
    if (typeof name !== 'string' || name === '')
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        'Invalid params: tools/call requires params.name, a tool name',
      );
    const meta = isPlainObject(params._meta) ? params._meta : undefined;
    const metaKey = meta?.[IDEMPOTENCY_META_KEY];
    const outcome = await tools.submit({
      server: context.server,
      tool: name,
      args: params.arguments,
      headerKey: context.headers.idempotencyKey ?? null,
      metaKey: typeof metaKey === 'string' ? metaKey : null,
      meta: callMeta(context.protocolVersion, meta),
      signal: context.signal,
    });
    return toCallToolResult(outcome, name);
  };

  return {
    modern: new Map([
      ['server/discover', discover],
      ['tools/list', listTools],
      ['tools/call', callTool],
    ]),
    legacy: new Map([
      ['initialize', initialize],
      ['ping', () => ({})],
      ['tools/list', listTools],
      ['tools/call', callTool],
    ]),
  };
}

function toWireTool(descriptor: ToolDescriptor): Tool {
  const tool = {
    name: descriptor.name,
    description: descriptor.description,
    inputSchema: descriptor.inputSchema,
    outputSchema: descriptor.outputSchema,
    _meta: descriptor.meta,
  } as Tool;
  if (descriptor.title !== null) tool.title = descriptor.title;
  if (descriptor.annotations !== null) tool.annotations = descriptor.annotations;
  return tool;
}

/** Facts kept with the call row: the revision spoken and, on 2026-07-28, the self-reported client name. */
function callMeta(protocolVersion: string, meta: Record<string, unknown> | undefined): JsonObject {
  const out: JsonObject = { protocolVersion };
  const client = meta?.[CLIENT_INFO_META_KEY];
  if (isPlainObject(client) && typeof client.name === 'string') out.clientName = client.name;
  return out;
}
