import {
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type JSONRPCErrorResponse,
} from '@modelcontextprotocol/server';
import { assertNever } from '../core/call-status.js';
import type { ToolError } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { describeError, type GatewayLogger } from './gateway-logger.js';
import { isPlatformErrorCode } from '../core/errors.js';
import type { CallView, SubmitOutcome } from './tool-service.js';

/**
 * The one place where local outcomes and errors become wire shapes (STYLE.md, habit 7). Everything about a
 * known tool's execution is a tool result a model can read and act on; only protocol faults are JSON-RPC
 * errors, and anything unexpected is a generic -32603 whose detail goes to the log, never to the client.
 */

/** The `structuredContent` of every tools/call result; `outputSchema` in tools/list describes it. */
export type ToolEnvelope =
  | { success: true; data: JsonValue; call_id: string }
  | {
      success: false;
      error_code: string;
      error_message: string;
      retry_safe: boolean;
      call_id: string | null;
      retry_after_ms?: number;
    };

export type JsonRpcError = JSONRPCErrorResponse['error'];

/** A submit outcome as a CallToolResult; `unknown_tool` is not a result but a -32602 protocol error. */
export function toCallToolResult(outcome: SubmitOutcome, tool: string): CallToolResult {
  switch (outcome.kind) {
    case 'settled':
      return outcome.result.ok
        ? wrap(
            { success: true, data: outcome.result.data ?? null, call_id: outcome.callId },
            outcome.result.content,
          )
        : failure(outcome.result.error, outcome.callId);
    case 'rejected':
      return failure(outcome.error, outcome.callId);
    case 'in_progress':
      return failure(
        {
          code: 'CALL_IN_PROGRESS',
          message: `call ${outcome.callId} is still ${outcome.status}; repeat the request with the same idempotency key to attach to it and get its result`,
          retrySafe: true,
        },
        outcome.callId,
      );
    case 'input_required':
      // Only a 2026-07-28 request gets the InputRequiredResult itself (tool-methods.ts); any other era
      // attaching to a call that waits for input is told it cannot answer.
      return failure(
        {
          code: 'INPUT_UNSUPPORTED',
          message: `call ${outcome.callId} waits for client input (${Object.values(outcome.inputRequests)
            .map((r) => r.method)
            .join(
              ', ',
            )}), which only an MCP 2026-07-28 client can give: its InputRequiredResult carries the requests`,
          retrySafe: false,
        },
        outcome.callId,
      );
    case 'store_unavailable':
      return failure(outcome.error, outcome.callId);
    case 'invalid_input':
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, outcome.message, outcome.data);
    case 'unknown_tool':
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool: ${tool}`);
    default:
      return assertNever(outcome);
  }
}

/** The 2026-07-28 InputRequiredResult (SEP-2322) of a call waiting for input: its requests and its ask's token. */
export function inputRequiredResult(outcome: Extract<SubmitOutcome, { kind: 'input_required' }>): {
  resultType: 'input_required';
  inputRequests: JsonObject;
  requestState: string;
} {
  return {
    resultType: 'input_required',
    inputRequests: outcome.inputRequests,
    requestState: outcome.requestState,
  };
}

/** A thrown value as a JSON-RPC error object: protocol errors pass through, anything else is logged and hidden. */
export function toJsonRpcError(error: unknown, logger: GatewayLogger): JsonRpcError {
  if (error instanceof ProtocolError) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  logger.error(describeError(error), 'unexpected error while answering an MCP request');
  return { code: ProtocolErrorCode.InternalError, message: 'Internal error' };
}

function failure(error: ToolError, callId: string | null): CallToolResult {
  const envelope: ToolEnvelope = {
    success: false,
    error_code: error.code,
    error_message: error.message,
    retry_safe: error.retrySafe,
    call_id: callId,
  };
  if (error.retryAfterMs !== undefined) envelope.retry_after_ms = error.retryAfterMs;
  return wrap(envelope);
}

/**
 * The envelope as structured content plus exactly one text block carrying the same JSON (for text-only
 * clients). A recipe's own content blocks (text, images, audio, embedded resources, …) come first: they
 * are what its author wrote for the model; the envelope's text block is always the last.
 */
function wrap(envelope: ToolEnvelope, extra: readonly JsonObject[] = []): CallToolResult {
  const result: CallToolResult = {
    content: [...(extra as CallToolResult['content']), { type: 'text', text: JSON.stringify(envelope) }],
    structuredContent: envelope,
  };
  if (!envelope.success) result.isError = true;
  return result;
}

/** A REST reply: status, JSON body, extra headers. */
export interface RestReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A submit outcome on the REST face (DESIGN.md: 200; a business error's status; 202 while running; …). */
export function restReply(outcome: SubmitOutcome, tool: string): RestReply {
  switch (outcome.kind) {
    case 'settled':
      return outcome.result.ok
        ? {
            status: 200,
            body: { call_id: outcome.callId, status: 'succeeded', data: outcome.result.data ?? null },
          }
        : restError(outcome.result.error, outcome.callId, 'failed');
    case 'rejected':
      return restError(outcome.error, outcome.callId, 'rejected');
    case 'in_progress':
      return {
        status: 202,
        body: { call_id: outcome.callId, status: outcome.status },
        headers: { location: `/v1/calls/${outcome.callId}` },
      };
    case 'input_required':
      // The REST face cannot carry input requests: the call is pending, like one still running.
      return {
        status: 202,
        body: { call_id: outcome.callId, status: 'input_required' },
        headers: { location: `/v1/calls/${outcome.callId}` },
      };
    case 'invalid_input':
      return {
        status: 400,
        body: {
          call_id: outcome.callId,
          error: { code: 'INVALID_INPUT', message: outcome.message, retry_safe: false },
        },
      };
    case 'store_unavailable':
      // 503 whatever retry_safe says: the platform, not the call, is unavailable.
      return { ...restError(outcome.error, outcome.callId, 'unavailable'), status: 503 };
    case 'unknown_tool':
      return {
        status: 404,
        body: { error: { code: 'UNKNOWN_TOOL', message: `Unknown tool: ${tool}`, retry_safe: false } },
      };
    default:
      return assertNever(outcome);
  }
}

/** `GET /v1/calls/{id}`: 200 with the status, and the result once settled. */
export function restView(view: CallView): RestReply {
  const base = { call_id: view.callId, tool: view.tool, status: view.status };
  if (!view.result) return { status: 200, body: base };
  return {
    status: 200,
    body: view.result.ok
      ? { ...base, data: view.result.data ?? null }
      : { ...base, error: restErrorBody(view.result.error) },
  };
}

function restError(error: ToolError, callId: string | null, status: string): RestReply {
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  return {
    status: httpStatusOf(error),
    body: { call_id: callId, status, error: restErrorBody(error) },
    headers,
  };
}

function restErrorBody(error: ToolError) {
  return {
    code: error.code,
    message: error.message,
    retry_safe: error.retrySafe,
    ...(error.retryAfterMs === undefined ? {} : { retry_after_ms: error.retryAfterMs }),
  };
}

/** Business codes keep the status their recipe gave them; platform codes map by meaning. */
export function httpStatusOf(error: ToolError): number {
  if (!isPlatformErrorCode(error.code)) return error.status ?? (error.retrySafe ? 503 : 500);
  switch (error.code) {
    case 'INVALID_ARGUMENTS':
      return 400;
    case 'IDEMPOTENCY_KEY_REUSED':
      return 422;
    case 'RATE_LIMITED':
    case 'QUOTA_EXCEEDED':
      return 429;
    case 'CANCELLED':
      return 409;
    case 'CALL_IN_PROGRESS':
      return 202;
    case 'UPSTREAM_UNAVAILABLE':
      return 503;
    case 'STEP_TIMEOUT':
    case 'CALL_DEADLINE_EXCEEDED':
      return error.retrySafe ? 503 : 500;
    case 'INPUT_TIMEOUT':
      return 408;
    case 'INPUT_UNSUPPORTED':
      return 422;
    case 'OUTCOME_UNKNOWN':
    case 'DEAD_LETTERED':
    case 'COMPENSATION_FAILED':
    case 'INTERNAL':
      return 500;
    default:
      return assertNever(error.code);
  }
}
