import {
  ProtocolErrorCode,
  SERVER_INFO_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Implementation,
} from '@modelcontextprotocol/server';

/**
 * The wire facts of the two protocol eras served on one endpoint. Where the SDK exports a constant it is
 * used; the few it keeps internal (its modern-version list, the -32020 code, the ladder's HTTP status
 * table, the 2026 encode stamps) are restated here, each next to the SDK name it mirrors.
 */

/** `modern` = 2026-07-28 (per-request `_meta` envelope); `legacy` = the stateless form of the 2025 revisions. */
export type Era = 'modern' | 'legacy';

/** The stateless revision (the SDK's internal `SUPPORTED_MODERN_PROTOCOL_VERSIONS`). */
export const MODERN_VERSION = '2026-07-28';

/** 2025-era revisions answered statelessly (DESIGN.md, "Protocol"), newest first; the SDK also lists 2024 ones. */
export const LEGACY_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS.filter(
  (version) => version >= '2025-03-26',
);

/** Everything this endpoint speaks, for `-32022` error data. */
export const SERVED_VERSIONS: readonly string[] = [MODERN_VERSION, ...LEGACY_VERSIONS];

/** SEP-2243 `HeaderMismatch` (the SDK's internal `HEADER_MISMATCH_ERROR_CODE`); HTTP 400. */
export const HEADER_MISMATCH = -32020;

/** Our `_meta` key for a client-chosen idempotency key (DESIGN.md, "Guarantees"). */
export const IDEMPOTENCY_META_KEY = 'dev.switchyard/idempotency-key';

/** The Tasks extension's identifier (SEP-2663), in capabilities and `-32021` error data. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** What this gateway serves besides tools (the platform side may leave either out). */
export interface ServedFeatures {
  /** Prompts, resources and completion from descriptor files. */
  catalog: boolean;
  /** The Tasks extension (2026-07-28 only: SEP-2663 does not apply to 2025 revisions). */
  tasks: boolean;
}

/**
 * Capabilities per era. Everything is fixed per release and clients are not subscribed (there is no
 * session to hold a subscription), so no list-changed notifications and no resource subscriptions.
 */
export function serverCapabilities(era: Era, served: ServedFeatures): Record<string, object> {
  return {
    tools: { listChanged: false },
    ...(served.catalog
      ? {
          prompts: { listChanged: false },
          resources: { listChanged: false, subscribe: false },
          completions: {},
        }
      : {}),
    ...(served.tasks && era === 'modern' ? { extensions: { [TASKS_EXTENSION]: {} } } : {}),
  };
}

/** The standard request headers, as read off the HTTP request (node lower-cases names). */
export interface McpHeaders {
  /** `MCP-Protocol-Version` */
  protocolVersion?: string;
  /** `Mcp-Method` */
  method?: string;
  /** `Mcp-Name` */
  name?: string;
  /** `Idempotency-Key` */
  idempotencyKey?: string;
  /** SEP-2243 `Mcp-Param-*` headers by lower-cased name, when any were sent. */
  params?: Readonly<Record<string, string>>;
}

/**
 * HTTP status for a JSON-RPC error we produce. Mirrors the SDK's `LADDER_ERROR_HTTP_STATUS`: validation
 * failures are HTTP errors, everything a method answers stays in-band on 200. Method-not-found is 404 on
 * the modern era only (the 2026 backward-compatibility signal); the 2025 transports answered it on 200.
 * An unexpected failure (-32603) is a 500, as the SDK's entry answers its own crashes.
 */
export function httpStatusFor(code: number, era: Era): number {
  switch (code) {
    case ProtocolErrorCode.ParseError:
    case ProtocolErrorCode.InvalidRequest:
    case ProtocolErrorCode.UnsupportedProtocolVersion:
    case ProtocolErrorCode.MissingRequiredClientCapability:
    case HEADER_MISMATCH:
      return 400;
    case ProtocolErrorCode.MethodNotFound:
      return era === 'modern' ? 404 : 200;
    case ProtocolErrorCode.InternalError:
      return 500;
    default:
      return 200;
  }
}

/** Operations whose 2026 results are cacheable and so must carry `ttlMs`/`cacheScope` (SEP-2549). */
const CACHEABLE_METHODS = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'server/discover',
]);

/**
 * The SDK's 2026 encode contract (`rev2026Codec.encodeResult`) applied to a result we just built and own:
 * `resultType: 'complete'`, the SDK's default cache fields (0 ms, private) on cacheable results, and the
 * server identity under `_meta['io.modelcontextprotocol/serverInfo']`. Mutates instead of copying because
 * every caller hands over a fresh object; shared parts (a cached tools array) are never touched.
 */
export function stampModernResult(
  method: string,
  result: Record<string, unknown>,
  serverMeta: Readonly<Record<string, Implementation>>,
): Record<string, unknown> {
  result.resultType ??= 'complete';
  if (CACHEABLE_METHODS.has(method)) {
    result.ttlMs ??= 0;
    result.cacheScope ??= 'private';
  }
  const meta = result._meta as Record<string, unknown> | undefined;
  if (meta === undefined) result._meta = serverMeta;
  else if (meta[SERVER_INFO_META_KEY] === undefined) result._meta = { ...meta, ...serverMeta };
  return result;
}
