import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  isJsonContentType,
  localhostAllowedOrigins,
  validateOriginHeader,
} from '@modelcontextprotocol/server';
import { PARAM_HEADER_PREFIX } from '../core/param-headers.js';
import type { CatalogService } from './catalog-service.js';
import { describeError, stderrLogger, type GatewayLogger } from './gateway-logger.js';
import { internalError, probe, refuse, send } from './http-replies.js';
import { createMcpDispatcher } from './mcp-dispatch.js';
import type { McpHeaders } from './mcp-protocol.js';
import { readBody } from './read-body.js';
import { createRestFace } from './rest-face.js';
import { acceptsEventStream, lazySse } from './sse-reply.js';
import type { TaskService, ToolService } from './tool-service.js';

export interface GatewayServerOptions {
  tools: ToolService;
  /** The Tasks extension (2026-07-28); without it no call becomes a task. */
  tasks?: TaskService;
  /** Prompts and resources from descriptor files; without it those methods are unknown. */
  catalog?: CatalogService;
  host: string;
  /** 0 picks a free port; `listen()` reports it. */
  port: number;
  /** Origins allowed besides localhost ones, as hostnames (`app.example.com`) or origins (reduced to their hostname). */
  allowedOrigins?: string[];
  maxBodyBytes: number;
  serverName?: string;
  serverVersion?: string;
  instructions?: string;
  logger?: GatewayLogger;
  /** How long `close()` lets in-flight requests finish before cutting their connections. */
  closeGraceMs?: number;
}

export interface GatewayServer {
  listen(): Promise<{ port: number }>;
  /** Stops accepting, then ends open connections after the grace period. Idempotent. */
  close(): Promise<void>;
  /** `http://host:port` (the bound port once listening). */
  readonly url: string;
}

const DEFAULT_INSTRUCTIONS =
  'Every tool is a durable workflow. Each result carries structuredContent {success, data | error_code, error_message, retry_safe, call_id}. ' +
  'When retry_safe is true (CALL_IN_PROGRESS included), repeat the same call with the same Idempotency-Key header or ' +
  '_meta["dev.switchyard/idempotency-key"] to attach to the same call instead of starting another.';

/** `/mcp` is the default server, `/mcp/{name}` a named one (DESIGN.md, "Configuration"). */
const MCP_ROUTE = /^\/mcp(?:\/([A-Za-z0-9_.-]+))?\/?$/;

/** The gateway's HTTP face on plain node:http: one POST per MCP request, no session, keep-alive on. */
export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const { tools, maxBodyBytes } = options;
  const logger = options.logger ?? stderrLogger;
  const dispatch = createMcpDispatcher({
    tools,
    ...(options.tasks ? { tasks: options.tasks } : {}),
    ...(options.catalog ? { catalog: options.catalog } : {}),
    serverInfo: { name: options.serverName ?? 'switchyard', version: options.serverVersion ?? '0.1.0' },
    instructions: options.instructions ?? DEFAULT_INSTRUCTIONS,
    logger,
  });
  const origins = [...localhostAllowedOrigins(), ...(options.allowedOrigins ?? []).map(originHostname)];
  const rest = createRestFace({ tools, maxBodyBytes });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req.url);
    if (path === '/healthz') return probe(req, res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const ready = await tools.ready().catch(() => ({ ok: false, detail: 'readiness check failed' }));
      return probe(req, res, ready.ok ? 200 : 503, { ready: ready.ok, detail: ready.detail });
    }
    // DNS-rebinding defence: a browser page may only reach us from an allowed origin; other clients send none.
    const origin = validateOriginHeader(req.headers.origin, origins);
    if (path.startsWith('/v1/')) {
      if (!origin.ok)
        return send(res, 403, JSON.stringify({ error: { code: 'FORBIDDEN', message: origin.message } }));
      await rest(req, res, path);
      return;
    }
    const route = MCP_ROUTE.exec(path);
    if (!route)
      return send(res, 404, JSON.stringify({ error: 'not_found', message: `no route for ${path}` }));
    if (!origin.ok) return refuse(res, 403, origin.message);
    const server = route[1] ?? 'default';
    if (!tools.hasServer(server)) return refuse(res, 404, `Not Found: no MCP server named "${server}"`);
    if (req.method !== 'POST') return refuse(res, 405, 'Method not allowed.', { allow: 'POST' });
    if (!isJsonContentType(req.headers['content-type']))
      return refuse(res, 415, 'Unsupported Media Type: Content-Type must be application/json');
    const tooLarge = `Payload Too Large: Request body must not exceed ${maxBodyBytes} bytes`;
    if (Number(req.headers['content-length']) > maxBodyBytes)
      return refuse(res, 413, tooLarge, { connection: 'close' });
    const body = await readBody(req, maxBodyBytes);
    if (body === null) return refuse(res, 413, tooLarge, { connection: 'close' });

    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const stream = acceptsEventStream(req) ? lazySse(res) : null;
    const reply = await dispatch({
      server,
      headers: mcpHeaders(req),
      body,
      signal: gone.signal,
      ...(stream ? { notify: (message: object) => stream.notify(message) } : {}),
    });
    if (stream?.started) stream.end(reply.body);
    else send(res, reply.status, reply.body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (req.destroyed) return; // the client left mid-body; nobody to answer
      logger.error({ ...describeError(error), path: req.url }, 'gateway request failed');
      internalError(res);
    });
  });
  // Agents and load generators reuse connections between calls; node's 5 s default would churn them.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;

  let port = options.port;
  let closing: Promise<void> | null = null;
  return {
    get url() {
      return `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          port = (server.address() as AddressInfo).port;
          resolve({ port });
        });
      });
    },
    close() {
      closing ??= new Promise((resolve) => {
        if (!server.listening) return resolve();
        const force = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 2_000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function mcpHeaders(req: IncomingMessage): McpHeaders {
  const h = req.headers;
  let params: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(h))
    if (key.startsWith(PARAM_HEADER_PREFIX_LOWER) && value !== undefined)
      (params ??= {})[key] = single(value) as string;
  return {
    protocolVersion: single(h['mcp-protocol-version']),
    method: single(h['mcp-method']),
    name: single(h['mcp-name']),
    idempotencyKey: single(h['idempotency-key']),
    ...(params ? { params } : {}),
  };
}

/** Node lower-cases header names. */
const PARAM_HEADER_PREFIX_LOWER = PARAM_HEADER_PREFIX.toLowerCase();

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function originHostname(entry: string): string {
  if (!entry.includes('://') || entry.endsWith('://*')) return entry;
  try {
    return new URL(entry).hostname;
  } catch {
    return entry;
  }
}
