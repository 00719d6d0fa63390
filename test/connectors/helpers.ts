import { inspect } from 'node:util';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { CallError, type ToolError } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/json.js';
import { JsonSchemaValidator } from '../../src/core/json-schema.js';
import type {
  ActionContext,
  ActionResult,
  Connector,
  ResolvedConnection,
} from '../../src/connectors/connector.js';

export const STEP_KEY = 'call_test:step-1';

export function actionContext(
  connection: ResolvedConnection | null,
  overrides: Partial<ActionContext> = {},
): ActionContext {
  return {
    callId: 'call_test',
    stepKey: STEP_KEY,
    connection,
    signal: new AbortController().signal,
    ...overrides,
  };
}

const validator = new JsonSchemaValidator();

/** Runs an action as the worker does: the input must pass the action's own input schema first. */
export async function runAction(
  connector: Connector,
  name: string,
  input: JsonObject,
  ctx: ActionContext,
): Promise<ActionResult> {
  const action = connector.actions[name];
  if (!action) throw new Error(`no action ${connector.name}.${name}`);
  const problem = validator.check(action.input, input);
  if (problem) throw new Error(`input rejected by ${connector.name}.${name} schema: ${problem}`);
  return action.run(input, ctx);
}

/**
 * `runAction` that keeps everything an action returned or threw (errors in full, causes included) in
 * `seen`, so a test file can end by scanning all of it for secrets.
 */
export function recordingRunner(connector: Connector, seen: unknown[]) {
  return async (name: string, input: JsonObject, context: ActionContext): Promise<ActionResult> => {
    try {
      const result = await runAction(connector, name, input, context);
      seen.push(result);
      return result;
    } catch (error) {
      seen.push(inspect(error, { depth: 6 }));
      if (error instanceof CallError) seen.push(error.toToolError());
      throw error;
    }
  };
}

/** An emulator's effects ledger (`GET /_sandbox/ledger`). */
export async function ledgerOf<T>(baseUrl: string): Promise<T[]> {
  const res = await fetch(`${baseUrl}/_sandbox/ledger`);
  return ((await res.json()) as { effects: T[] }).effects;
}

export function effectOf(connector: Connector, name: string, input: JsonObject): string {
  const action = connector.actions[name];
  if (!action) throw new Error(`no action ${connector.name}.${name}`);
  return action.effect(input);
}

/** Awaits a rejection that must be a CallError matching `expected`; returns it for further checks. */
export async function expectCallError(
  promise: Promise<unknown>,
  expected: Partial<ToolError>,
): Promise<CallError> {
  const error: unknown = await promise.then(
    () => new Error('expected the action to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallError);
  expect((error as CallError).toToolError()).toMatchObject(expected);
  return error as CallError;
}

export interface Arrival {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Wall-clock arrival time (Date.now()), recorded by the server. */
  at: number;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  arrivals: Arrival[];
  close(): Promise<void>;
}

type Handler = (arrival: Arrival, res: ServerResponse, req: IncomingMessage) => void;

/** A real HTTP server on 127.0.0.1 that records every request (after reading its body) before answering. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const arrival = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      arrivals.push(arrival);
      handler(arrival, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
