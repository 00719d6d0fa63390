import {
  type DiscoverResult,
  type Implementation,
  type InitializeResult,
} from '@modelcontextprotocol/server';
import type { JsonObject } from '../core/json.js';
import type { CatalogService } from './catalog-service.js';
import { createCatalogMethods } from './catalog-methods.js';
import {
  LEGACY_VERSIONS,
  MODERN_VERSION,
  serverCapabilities,
  type Era,
  type McpHeaders,
} from './mcp-protocol.js';
import { createTaskMethods } from './task-methods.js';
import { createToolMethods } from './tool-methods.js';
import type { TaskService, ToolService } from './tool-service.js';

/** What a method sees of the request besides its params. */
export interface MethodContext {
  server: string;
  era: Era;
  /** The revision the request was made under: the envelope's, the header's, or the 2025 default. */
  protocolVersion: string;
  headers: McpHeaders;
  /** Aborted when the HTTP client goes away. */
  signal: AbortSignal;
  /** The per-request client capabilities (2026-07-28 `_meta`); null on the 2025 era, which has none per request. */
  clientCapabilities: JsonObject | null;
  /** Sends a notification ahead of the result (the reply becomes an SSE stream); absent when the client cannot take one. */
  notify?: (method: string, params: JsonObject) => void;
}

export type McpParams = Record<string, unknown>;
/** A method returns a fresh result object, which the dispatcher may stamp in place. */
export type McpMethod = (params: McpParams, context: MethodContext) => object | Promise<object>;
export type MethodTable = Record<Era, ReadonlyMap<string, McpMethod>>;

export interface McpMethodsOptions {
  tools: ToolService;
  /** The Tasks extension; without it no call becomes a task and tasks/* are unknown methods. */
  tasks?: TaskService;
  /** Prompts, resources and completion; without them those methods are unknown. */
  catalog?: CatalogService;
  serverInfo: Implementation;
  instructions: string;
}

/**
 * The methods Switchyard serves, per era. The 2026-07-28 registry has no `initialize` and no `ping`
 * (the SDK's rev2026 registry answers both with method-not-found); `server/discover` and the Tasks
 * extension's methods exist only there.
 */
export function createMcpMethods(options: McpMethodsOptions): MethodTable {
  const { serverInfo, instructions } = options;
  const served = { catalog: options.catalog !== undefined, tasks: options.tasks !== undefined };

  const discover: McpMethod = (): DiscoverResult => ({
    supportedVersions: [MODERN_VERSION],
    capabilities: serverCapabilities('modern', served),
    instructions,
  });

  const initialize: McpMethod = (params): InitializeResult => {
    const requested = params.protocolVersion;
    const protocolVersion =
      typeof requested === 'string' && LEGACY_VERSIONS.includes(requested)
        ? requested
        : (LEGACY_VERSIONS[0] as string);
    return { protocolVersion, capabilities: serverCapabilities('legacy', served), serverInfo, instructions };
  };

  const tools = createToolMethods(options);
  const catalog = options.catalog ? createCatalogMethods(options.catalog) : [];
  const tasks = options.tasks ? createTaskMethods(options.tasks) : [];
  return {
    modern: new Map([['server/discover', discover], ...tools, ...catalog, ...tasks]),
    legacy: new Map([['initialize', initialize], ['ping', () => ({})], ...tools, ...catalog]),
  };
}
