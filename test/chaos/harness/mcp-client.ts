import type { History, Op } from './history.js';

const PROTOCOL = '2026-07-28';

export interface Envelope {
  success: boolean;
  data?: unknown;
  call_id: string | null;
  error_code?: string;
  error_message?: string;
  retry_safe?: boolean;
}

/** One raw MCP 2026-07-28 tools/call (a POST with the standard headers) carrying an Idempotency-Key. */
async function postToolCall(
  endpoint: string,
  tool: string,
  args: Record<string, unknown>,
  key: string,
  timeoutMs: number,
): Promise<Envelope | null> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL,
      'mcp-method': 'tools/call',
      'mcp-name': tool,
      'idempotency-key': key,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: tool,
        arguments: args,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': PROTOCOL,
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'chaos', version: '1.0.0' },
        },
      },
    }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body: { result?: { structuredContent?: Envelope }; error?: { code?: number; message?: string } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return null; // e.g. a proxy's or a dying server's non-JSON 5xx
  }
  if (body.result?.structuredContent) return body.result.structuredContent;
  if (body.error) throw new ProtocolError(body.error.code ?? 0, body.error.message ?? 'JSON-RPC error');
  return null;
}

class ProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CallOptions {
  /** Gateway MCP endpoints to try, in turn (a client whose gateway died tries another, same key). */
  endpoints: () => string[];
  /** One request's timeout (past it, the client retries with the same key). */
  requestTimeoutMs: number;
  /** The whole operation's budget: no final answer by then → `unknown`. */
  budgetMs: number;
  retryDelayMs?: number;
}

/**
 * A client operation as a careful agent runs it: tools/call with an idempotency key; on a lost
 * connection, a timeout, a 5xx without a result, CALL_IN_PROGRESS or a retry-safe INTERNAL (the store
 * was unavailable; with the call id when the call was recorded) it retries with the same key (attaching
 * to the same call), on the next gateway; it ends on the first definite result. Recorded in `history`.
 */
export async function callWithRetries(
  history: History,
  tool: string,
  args: Record<string, unknown>,
  key: string,
  options: CallOptions,
): Promise<Op> {
  const op = history.invoke(tool, key);
  const until = op.invokedAt + options.budgetMs;
  let turn = op.id;
  while (Date.now() < until) {
    const endpoints = options.endpoints();
    const endpoint = endpoints[turn++ % Math.max(1, endpoints.length)];
    if (endpoint) {
      op.tries++;
      try {
        const envelope = await postToolCall(
          endpoint,
          tool,
          args,
          key,
          Math.min(options.requestTimeoutMs, Math.max(1, until - Date.now())),
        );
        if (envelope) {
          history.ack(op, envelope.call_id);
          if (envelope.success) {
            history.end(op, 'ok');
            return op;
          }
          // Retry-safe and no call id: nothing was committed, or the enqueue's outcome is unknown (the store
          // failed under it): try again with the key. Retry-safe INTERNAL with a call id: the call was
          // recorded, then the store failed (acknowledged above by its id): attach again with the key.
          const outage = envelope.retry_safe === true && envelope.error_code === 'INTERNAL';
          const again = outage || (envelope.retry_safe === true && envelope.call_id === null);
          if (again)
            op.errorsSeen.push(
              `${envelope.error_code ?? '?'}${outage && envelope.call_id !== null ? '(recorded)' : ''}`,
            );
          else if (envelope.error_code !== 'CALL_IN_PROGRESS') {
            history.end(op, 'failed', envelope.error_code ?? null);
            return op;
          }
        } else op.transportErrors++;
      } catch (error) {
        // A JSON-RPC error is final: a store outage is a retry-safe INTERNAL tool result, never a -32603
        // (the checker counts a -32603 as a violation).
        if (error instanceof ProtocolError) {
          history.end(op, 'failed', `JSONRPC_${error.code}`);
          return op;
        }
        op.transportErrors++;
      }
    }
    await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 100));
  }
  history.end(op, 'unknown');
  return op;
}

/**
 * Runs `count` operations with at most `concurrency` in flight, started `spacingMs` apart; `make(i)`
 * gives each its tool, arguments and key. Resolves when every operation has ended.
 */
export async function runLoad(
  count: number,
  concurrency: number,
  spacingMs: number,
  run: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++;
      await run(i);
      if (spacingMs > 0) await new Promise((r) => setTimeout(r, spacingMs));
    }
  });
  await Promise.all(lanes);
}
