import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { isTerminal } from '../../src/core/call-status.js';
import type { CallRecord, Store } from '../../src/store/store.js';
import { eventually, type ServeProcess } from '../helpers/serve-process.js';

/** The `structuredContent` of a tools/call result (see src/gateway/results.ts). */
export type Envelope = {
  success: boolean;
  data?: Record<string, unknown>;
  call_id: string | null;
  error_code?: string;
  error_message?: string;
  retry_safe?: boolean;
};

/** An MCP client (official SDK) on the 2026-07-28 protocol, optionally with extra HTTP headers. */
export async function mcpClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client(
    { name: 'reliability', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/**
 * Starts a tools/call without awaiting it, and never lets it become an unhandled rejection (a test that
 * fails early tears the server down under it): `await` the returned promise for the result or the error.
 */
export function callInBackground(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ result: Awaited<ReturnType<Client['callTool']>> } | { error: unknown }> {
  return client.callTool({ name, arguments: args }).then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
}

/** The envelope of a settled background call; throws (failing the test) when the request itself failed. */
export async function envelopeOf(
  pending: ReturnType<typeof callInBackground>,
): Promise<{ envelope: Envelope; isError: boolean }> {
  const outcome = await pending;
  if ('error' in outcome) throw outcome.error;
  return {
    envelope: outcome.result.structuredContent as Envelope,
    isError: outcome.result.isError === true,
  };
}

/** The pid in a worker id (`w<pid>_<random>`, see platform.ts). */
export function pidOfWorker(workerId: string | null): number {
  const pid = Number(/^w(\d+)_/.exec(workerId ?? '')?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in worker id ${workerId}`);
  return pid;
}

/** The pids of the worker processes a `serve` process has started so far (from its log). */
export function workerPids(server: ServeProcess): number[] {
  return server.logs.filter((l) => l.msg === 'worker started').map((l) => Number(l.pid));
}

/**
 * SIGKILLs the worker process that holds `call`'s lease. Refuses pids the server did not start, so a
 * malformed worker id can never make the test kill an unrelated process.
 */
export function killLeaseHolder(server: ServeProcess, call: CallRecord): number {
  const pid = pidOfWorker(call.workerId);
  if (!workerPids(server).includes(pid) || pid === server.child.pid)
    throw new Error(`pid ${pid} is not a worker of this server`);
  process.kill(pid, 'SIGKILL');
  return pid;
}

/** Waits (bounded) until the call reaches a terminal state. */
export function waitTerminal(store: Store, callId: string, timeoutMs = 30_000): Promise<CallRecord> {
  return eventually(async () => {
    const call = await store.getCall(callId);
    return call && isTerminal(call.status) ? call : null;
  }, timeoutMs);
}

/** Waits (bounded) until some call of `tool` is running with its step `stepPath` begun. */
export function waitInsideStep(
  store: Store,
  tool: string,
  stepPath: string,
  accept: (call: CallRecord) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<CallRecord> {
  return eventually(async () => {
    for (const call of await store.listCalls({ status: 'running', tool, limit: 50 })) {
      if (!accept(call)) continue;
      const journal = await store.listJournal(call.id);
      const inside = journal.some(
        (e) => e.stepPath === stepPath && e.status === 'started' && e.leaseToken === call.leaseToken,
      );
      if (inside) return call;
    }
    return null;
  }, timeoutMs);
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A downstream on 127.0.0.1 that records every request (after reading its body). A request that `hold`
 * accepts (by default: every request) is not answered until `releaseHeld()`: it stays open until then, or
 * until the sender goes away or the server closes. Others are answered 200 with `{accepted: <number>}`.
 */
export async function startEffectServer(): Promise<{
  port: number;
  requests: ReceivedRequest[];
  hold: (request: ReceivedRequest) => boolean;
  /** Answers the requests held so far (200, as any other). */
  releaseHeld(): void;
  close(): Promise<void>;
}> {
  const held = new Map<ServerResponse, number>();
  const answer = (res: ServerResponse, n: number) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: n }));
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      state.requests.push(request);
      const n = state.requests.length;
      if (!state.hold(request)) return answer(res, n);
      held.set(res, n);
      res.once('close', () => held.delete(res));
    });
  });
  const state = {
    port: 0,
    requests: [] as ReceivedRequest[],
    hold: (_request: ReceivedRequest) => true,
    releaseHeld() {
      for (const [res, n] of [...held]) {
        held.delete(res);
        answer(res, n);
      }
    },
    async close() {
      for (const res of held.keys()) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}

/** Writes a switchyard.yaml whose `local` http connection points at 127.0.0.1:`port`; returns its path. */
export function writeLocalConnectionConfig(dir: string, port: number): string {
  const file = path.join(dir, 'switchyard.yaml');
  writeFileSync(
    file,
    [
      'connections:',
      '  local:',
      '    connector: http',
      `    base_url: http://127.0.0.1:${port}`,
      "    allow_hosts: ['127.0.0.1']",
      '',
    ].join('\n'),
  );
  return file;
}
