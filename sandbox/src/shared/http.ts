import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drawLatency, type Behaviour, type FaultShares } from './behaviour.js';
import type { Ledger } from './ledger.js';

/** A request as an emulator route sees it. */
export interface SandboxRequest {
  method: string;
  path: string;
  /** Path parameters from the route pattern (`/v1/customers/:id` → `{ id }`). */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface SandboxResponse {
  status: number;
  /** A JSON value (serialized) or a string (sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface Route {
  method: string;
  /** Path with `:name` segments, e.g. `/services/data/:version/sobjects/:type/:id`. */
  path: string;
  handler: Handler;
  /** True for routes that change state: only these can "execute but lose the response". */
  changesState?: boolean;
}

export interface EmulatorServer {
  url: string;
  port: number;
  behaviour: Behaviour;
  close(): Promise<void>;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${pattern}/?$`), names };
}

const MAX_BODY = 1024 * 1024;

/**
 * Starts one emulator: its routes, plus `GET /_sandbox/ledger` (the effects ledger, `?after=SEQ`) and
 * `GET|PUT /_sandbox/behaviour` (latency and faults, changeable at run time). Latency is added before a
 * route runs; faults are drawn per request. Binds 127.0.0.1 only.
 */
export async function startEmulator(options: {
  name: string;
  port: number;
  routes: Route[];
  behaviour: Behaviour;
  ledger: Ledger;
  /** The body of an unmatched route, in the vendor's error shape. */
  notFound: (req: SandboxRequest) => SandboxResponse;
  /** An injected 503 or 429 in the vendor's error shape (default: a generic JSON body). */
  faultBody?: (status: 503 | 429) => unknown;
}): Promise<EmulatorServer> {
  const routes = options.routes.map(compile);
  const state = { behaviour: options.behaviour };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const body = await readBody(req);
    if (body === null) return send(res, { status: 413, body: { error: 'body too large' } });
    const base = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };

    if (url.pathname === '/_sandbox/ledger' && req.method === 'GET')
      return send(res, {
        status: 200,
        body: { effects: options.ledger.entries(Number(url.searchParams.get('after') ?? 0)) },
      });
    if (url.pathname === '/_sandbox/behaviour') {
      if (req.method === 'PUT') state.behaviour = mergeBehaviour(state.behaviour, body);
      return send(res, { status: 200, body: state.behaviour });
    }

    let route: CompiledRoute | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of routes) {
      if (candidate.method !== base.method) continue;
      match = candidate.regex.exec(url.pathname);
      if (match) {
        route = candidate;
        break;
      }
    }
    if (!route || !match) return send(res, options.notFound({ ...base, params: {} }));
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? '')]));
    } catch {
      return send(res, options.notFound({ ...base, params: {} })); // a malformed %-escape names nothing
    }

    const b = state.behaviour;
    const latency = drawLatency(b);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const f: FaultShares = b.faults;
    if (Math.random() < f.error5xx)
      return send(res, { status: 503, body: options.faultBody?.(503) ?? { error: 'injected 503' } });
    if (Math.random() < f.rateLimited)
      return send(res, {
        status: 429,
        headers: { 'retry-after': String(f.retryAfterSeconds) },
        body: options.faultBody?.(429) ?? { error: 'injected 429' },
      });
    if (Math.random() < f.timeout) return; // never answered; the client's timeout ends it
    const response = await route.handler({ ...base, params });
    if (route.changesState && Math.random() < f.lostResponse) {
      res.socket?.destroy();
      return;
    }
    send(res, response);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, { status: 500, body: { error: 'emulator failure', message: String(error) } }),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // e.g. EADDRINUSE: the caller gets the error instead of a crash
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(value: Behaviour) {
      state.behaviour = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function mergeBehaviour(current: Behaviour, body: Buffer): Behaviour {
  let patch: Partial<{ latencyMs: [number, number]; faults: Partial<FaultShares> }>;
  try {
    patch = JSON.parse(body.toString('utf8') || '{}') as typeof patch;
  } catch {
    return current;
  }
  return {
    latencyMs: Array.isArray(patch.latencyMs) ? patch.latencyMs : current.latencyMs,
    faults: { ...current.faults, ...(patch.faults ?? {}) },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: SandboxResponse): void {
  if (res.headersSent || res.destroyed) return;
  const text =
    response.body === undefined
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...(response.body !== undefined && typeof response.body !== 'string'
      ? { 'content-type': 'application/json' }
      : {}),
    ...response.headers,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** The request body as JSON (an object), or null when it is not valid JSON. */
export function jsonBody(req: SandboxRequest): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(req.body.toString('utf8') || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** HTTP Basic credentials, or null. */
export function basicAuth(req: SandboxRequest): { user: string; password: string } | null {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
