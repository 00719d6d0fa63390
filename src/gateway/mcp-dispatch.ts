import {
  CLIENT_CAPABILITIES_META_KEY,
  DEFAULT_NEGOTIATED_PROTOCOL_VERSION,
  ProtocolError,
  ProtocolErrorCode,
  SERVER_INFO_META_KEY,
  UnsupportedProtocolVersionError,
  classifyInboundRequest,
  type InboundLegacyRoute,
  type InboundModernRoute,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/server';
import { assertNever } from '../core/call-status.js';
import { isPlainObject, type JsonObject } from '../core/json.js';
import type { GatewayLogger } from './gateway-logger.js';
import { createMcpMethods, type McpMethodsOptions, type McpParams } from './mcp-methods.js';
import {
  LEGACY_VERSIONS,
  MODERN_VERSION,
  SERVED_VERSIONS,
  httpStatusFor,
  stampModernResult,
  type McpHeaders,
} from './mcp-protocol.js';
import { toJsonRpcError, type JsonRpcError } from './results.js';
import { checkStandardHeaders } from './standard-headers.js';

/** One POST to an MCP endpoint, as the HTTP layer hands it over (route, origin, type and size already checked). */
export interface McpHttpRequest {
  server: string;
  headers: McpHeaders;
  body: string;
  signal: AbortSignal;
  /**
   * Sends a JSON-RPC notification ahead of the reply (the HTTP layer switches the response to an SSE
   * stream at the first one); absent when the client does not accept `text/event-stream`.
   */
  notify?: (message: object) => void;
}

/** The HTTP answer: a JSON body, or none (202 for notifications). */
export interface McpHttpReply {
  status: number;
  body: string | null;
}

export interface McpDispatcherOptions extends McpMethodsOptions {
  logger: GatewayLogger;
}

const ACCEPTED: McpHttpReply = { status: 202, body: null };

/**
 * Answers one MCP POST without building a server instance: parse, refuse batches, let the SDK's
 * `classifyInboundRequest` run its validation ladder and pick the era, apply the era's gates, then call
 * one of the few methods we serve. 2026-07-28 results get the SDK's encode stamps; 2025 results go out as
 * built (the SDK's 2025 codec is the identity).
 */
export function createMcpDispatcher(
  options: McpDispatcherOptions,
): (request: McpHttpRequest) => Promise<McpHttpReply> {
  const methods = createMcpMethods(options);
  const serverMeta = Object.freeze({ [SERVER_INFO_META_KEY]: options.serverInfo });

  return async function dispatch(request) {
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return errorReply(400, null, {
        code: ProtocolErrorCode.ParseError,
        message: 'Parse error: the request body is not valid JSON',
      });
    }
    // 2025-06-18 dropped batching and 2026-07-28 forbids it; one answer for all eras keeps replies 1:1.
    if (Array.isArray(body))
      return errorReply(400, null, {
        code: ProtocolErrorCode.InvalidRequest,
        message: 'Invalid Request: JSON-RPC batches are not supported',
      });

    const { headers } = request;
    const route = classifyInboundRequest({
      httpMethod: 'POST',
      protocolVersionHeader: headers.protocolVersion,
      mcpMethodHeader: headers.method,
      mcpNameHeader: headers.name,
      body,
    });
    if (route.kind === 'reject') {
      const error: JsonRpcError =
        route.data === undefined
          ? { code: route.code, message: route.message }
          : { code: route.code, message: route.message, data: route.data };
      return errorReply(route.httpStatus, requestIdOf(body), error);
    }
    const era = route.kind;
    try {
      const admitted = route.kind === 'modern' ? admitModern(route, headers) : admitLegacy(route, body);
      if (admitted === null) return ACCEPTED;
      const { message, version } = admitted;
      const method = methods[era].get(message.method);
      if (method === undefined)
        throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Method not found: ${message.method}`);
      const params = (message.params ?? {}) as McpParams;
      const notify = request.notify;
      const result = await method(params, {
        server: request.server,
        era,
        protocolVersion: version,
        headers,
        signal: request.signal,
        clientCapabilities: era === 'modern' ? clientCapabilitiesOf(params) : null,
        ...(notify ? { notify: (name, data) => notify({ jsonrpc: '2.0', method: name, params: data }) } : {}),
      });
      return resultReply(
        message.id,
        era === 'modern'
          ? stampModernResult(message.method, result as Record<string, unknown>, serverMeta)
          : result,
      );
    } catch (error) {
      const wire = toJsonRpcError(error, options.logger);
      return errorReply(httpStatusFor(wire.code, era), requestIdOf(body), wire);
    }
  };
}

/** A request to dispatch and the revision it speaks, or null when the message is only acknowledged (202). */
type Admitted = { message: JSONRPCRequest; version: string } | null;

/** The SDK's `serveModern` gates: a revision we serve, then the standard headers (requests only). */
function admitModern(route: InboundModernRoute, headers: McpHeaders): Admitted {
  const version = route.classification.revision;
  if (version !== MODERN_VERSION)
    throw new UnsupportedProtocolVersionError({
      supported: [MODERN_VERSION],
      requested: version ?? 'unknown',
    });
  if (route.messageKind === 'notification') return null;
  checkStandardHeaders(headers, route.message);
  return { message: route.message, version };
}

/** 2025-era traffic, served statelessly: no session, a protocol version header we speak if any. */
function admitLegacy(route: InboundLegacyRoute, body: unknown): Admitted {
  switch (route.reason) {
    case 'notification':
    case 'response':
      return null;
    case 'http-method':
    case 'batch':
      // The HTTP layer dispatches POSTs only, and batches were refused before classification.
      throw new ProtocolError(ProtocolErrorCode.InvalidRequest, 'Invalid Request');
    case 'initialize':
      // The version is negotiated by the initialize method itself.
      return { message: body as JSONRPCRequest, version: DEFAULT_NEGOTIATED_PROTOCOL_VERSION };
    case 'no-claim': {
      const requested = route.requestedVersion;
      if (requested !== undefined && !LEGACY_VERSIONS.includes(requested))
        throw new UnsupportedProtocolVersionError({ supported: [...SERVED_VERSIONS], requested });
      return { message: body as JSONRPCRequest, version: requested ?? DEFAULT_NEGOTIATED_PROTOCOL_VERSION };
    }
    default:
      return assertNever(route.reason);
  }
}

/** The per-request capabilities of a 2026-07-28 request (the classifier checked the envelope's shape). */
function clientCapabilitiesOf(params: McpParams): JsonObject {
  const meta = params._meta;
  const capabilities = isPlainObject(meta) ? meta[CLIENT_CAPABILITIES_META_KEY] : undefined;
  return isPlainObject(capabilities) ? (capabilities as JsonObject) : {};
}

/** The id to echo in an error: only a well-formed request's (the SDK's `echoableRequestId`). */
function requestIdOf(body: unknown): RequestId | null {
  if (body === null || typeof body !== 'object') return null;
  const { method, id } = body as { method?: unknown; id?: unknown };
  return typeof method === 'string' && (typeof id === 'string' || typeof id === 'number') ? id : null;
}

function resultReply(id: RequestId, result: object): McpHttpReply {
  return { status: 200, body: JSON.stringify({ jsonrpc: '2.0', id, result }) };
}

function errorReply(status: number, id: RequestId | null, error: JsonRpcError): McpHttpReply {
  return { status, body: JSON.stringify({ jsonrpc: '2.0', id, error }) };
}
