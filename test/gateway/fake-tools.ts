import type { JsonObject } from '../../src/core/json.js';
import { envelopeSchema } from '../../src/gateway/tool-descriptor.js';
import type {
  SubmitOutcome,
  SubmitRequest,
  ToolDescriptor,
  ToolService,
} from '../../src/gateway/tool-service.js';

/**
 * A small in-test ToolService: the gateway's seam, without a store. Each tool exercises one outcome the
 * gateway must put on the wire. Every submit is recorded so tests can check what the gateway passed on.
 */
export interface FakeTools extends ToolService {
  submitted: SubmitRequest[];
  /** Signals of `slow` calls that were aborted (the HTTP client went away). */
  aborted: string[];
  readyState: { ok: boolean; detail: string };
}

function tool(name: string, input: JsonObject, extra: Partial<ToolDescriptor> = {}): ToolDescriptor {
  return {
    name,
    title: null,
    description: `the ${name} tool`,
    inputSchema: { type: 'object', ...input },
    outputSchema: envelopeSchema({}),
    annotations: null,
    meta: { 'dev.switchyard/guarantees': { durable: 'yes' } },
    ...extra,
  };
}

const TOOLS: ToolDescriptor[] = [
  tool(
    'echo',
    { properties: { message: { type: 'string' } } },
    {
      title: 'Echo',
      annotations: { readOnlyHint: true },
      outputSchema: envelopeSchema({ type: 'object', properties: { message: { type: 'string' } } }),
    },
  ),
  tool('boom', {}),
  tool('slow', {}),
  tool('strict', { properties: { room_number: { type: 'string' } }, required: ['room_number'] }),
  tool('limited', {}),
  tool('crash', {}),
];

const SERVERS: Record<string, string[]> = { default: TOOLS.map((t) => t.name), guest: ['echo'] };

export function createFakeTools(): FakeTools {
  const fake: FakeTools = {
    submitted: [],
    aborted: [],
    readyState: { ok: true, detail: 'store reachable, migrations current' },
    hasServer: (server) => Object.hasOwn(SERVERS, server),
    async listTools(server) {
      const names = SERVERS[server];
      return names ? TOOLS.filter((t) => names.includes(t.name)) : null;
    },
    async ready() {
      return fake.readyState;
    },
    async lookupCall() {
      return null;
    },
    async submit(request) {
      fake.submitted.push(request);
      if (!SERVERS[request.server]?.includes(request.tool)) return { kind: 'unknown_tool' };
      const callId = `call_${request.tool}_${fake.submitted.length}`;
      return outcomeOf(request, callId, fake);
    },
  };
  return fake;
}

async function outcomeOf(request: SubmitRequest, callId: string, fake: FakeTools): Promise<SubmitOutcome> {
  const args = (request.args ?? {}) as JsonObject;
  switch (request.tool) {
    case 'echo':
      return { kind: 'settled', callId, result: { ok: true, data: args } };
    case 'boom':
      return {
        kind: 'settled',
        callId,
        result: {
          ok: false,
          error: { code: 'ROOM_NOT_VACANT', message: 'Room 101 is occupied', retrySafe: false, status: 409 },
        },
      };
    case 'slow':
      // Waits like the real service does, until its bound or until the client goes away.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Number(args.wait_ms ?? 20));
        request.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          fake.aborted.push(callId);
          resolve();
        });
      });
      return { kind: 'in_progress', callId, status: 'running' };
    case 'strict':
      if (typeof args.room_number !== 'string') {
        return {
          kind: 'rejected',
          callId: null,
          error: {
            code: 'INVALID_ARGUMENTS',
            message: 'invalid arguments: field "room_number" is required',
            retrySafe: false,
            status: 400,
          },
        };
      }
      return { kind: 'settled', callId, result: { ok: true, data: { room_number: args.room_number } } };
    case 'limited':
      return {
        kind: 'rejected',
        callId: null,
        error: {
          code: 'RATE_LIMITED',
          message: 'too many calls',
          retrySafe: true,
          status: 429,
          retryAfterMs: 1500,
        },
      };
    case 'crash':
      throw new Error('SQLITE_CORRUPT at /var/lib/secret.db');
    default:
      return { kind: 'unknown_tool' };
  }
}
