/** One client operation (a tools/call with its idempotency key, retried by the client until it has an answer). */
export interface Op {
  id: number;
  tool: string;
  key: string;
  invokedAt: number;
  /** When the client first learned the call id (in a result, an error or CALL_IN_PROGRESS): acknowledged. */
  ackAt: number | null;
  callId: string | null;
  /** ok: a success result; failed: a definite failure result; unknown: no final answer within its budget. */
  outcome: 'pending' | 'ok' | 'failed' | 'unknown';
  endedAt: number | null;
  errorCode: string | null;
  /** Requests sent (first try + retries with the same key). */
  tries: number;
  /** Transport failures seen (connection refused/reset, timeout, 5xx without a result). */
  transportErrors: number;
  /** Retry-safe error codes answered before the final answer (e.g. the store was unreachable). */
  errorsSeen: string[];
}

/**
 * The history of every client operation, Jepsen style: invoked, then ok / failed / unknown, with times.
 * The checker reads it beside the store and the effects ledgers.
 */
export class History {
  readonly ops: Op[] = [];

  invoke(tool: string, key: string): Op {
    const op: Op = {
      id: this.ops.length + 1,
      tool,
      key,
      invokedAt: Date.now(),
      ackAt: null,
      callId: null,
      outcome: 'pending',
      endedAt: null,
      errorCode: null,
      tries: 0,
      transportErrors: 0,
      errorsSeen: [],
    };
    this.ops.push(op);
    return op;
  }

  ack(op: Op, callId: string | null): void {
    if (!callId) return;
    if (op.callId !== null && op.callId !== callId)
      throw new Error(`op ${op.id} (key ${op.key}) was told two call ids: ${op.callId} and ${callId}`);
    op.callId = callId;
    op.ackAt ??= Date.now();
  }

  end(op: Op, outcome: 'ok' | 'failed' | 'unknown', errorCode: string | null = null): void {
    op.outcome = outcome;
    op.errorCode = errorCode;
    op.endedAt = Date.now();
  }

  summary(): Record<
    'invoked' | 'ok' | 'failed' | 'unknown' | 'acknowledged' | 'retries' | 'transportErrors',
    number
  > & {
    errorCodes: Record<string, number>;
  } {
    const errorCodes: Record<string, number> = {};
    for (const o of this.ops) {
      for (const code of o.errorsSeen) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      if (o.outcome === 'failed')
        errorCodes[`final:${o.errorCode}`] = (errorCodes[`final:${o.errorCode}`] ?? 0) + 1;
    }
    return {
      invoked: this.ops.length,
      ok: this.ops.filter((o) => o.outcome === 'ok').length,
      failed: this.ops.filter((o) => o.outcome === 'failed').length,
      unknown: this.ops.filter((o) => o.outcome === 'unknown' || o.outcome === 'pending').length,
      acknowledged: this.ops.filter((o) => o.callId !== null).length,
      retries: this.ops.reduce((n, o) => n + Math.max(0, o.tries - 1), 0),
      transportErrors: this.ops.reduce((n, o) => n + o.transportErrors, 0),
      errorCodes,
    };
  }
}
