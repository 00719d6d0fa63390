import type { ToolError } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * The seam between the gateway's protocol code and the platform: the gateway speaks MCP (and later
 * REST) and asks this service for tools and for calls. The service enqueues and waits; it never runs a
 * recipe itself, and the gateway never touches the store, recipes or connectors directly.
 */
export interface ToolService {
  /** Whether the named MCP server is configured; cheap and synchronous, so the HTTP layer can 404 before reading a body. */
  hasServer(server: string): boolean;
  /** Exposed tools of the named MCP server (`default` for `/mcp`), or null when no such server exists. */
  listTools(server: string): Promise<ToolDescriptor[] | null>;
  /** Validates, resolves the idempotency key, enqueues, and waits (bounded) for settlement. */
  submit(request: SubmitRequest): Promise<SubmitOutcome>;
  /** True when the store answers and its schema is current (for /readyz). */
  ready(): Promise<{ ok: boolean; detail: string }>;
  /** A call of this workspace by id (REST `GET /v1/calls/{id}`), or null when there is none. */
  lookupCall(callId: string): Promise<CallView | null>;
}

/** What the REST face shows of a call: its status and, once settled, its result. */
export interface CallView {
  callId: string;
  tool: string;
  status: string;
  result: CallResult | null;
}

export interface ToolDescriptor {
  name: string;
  title: string | null;
  description: string;
  inputSchema: JsonObject;
  /** The result envelope's schema, with the recipe's output_schema as `data`. */
  outputSchema: JsonObject;
  annotations: JsonObject | null;
  /** Per-tool guarantees etc., published in tools/list `_meta`. */
  meta: JsonObject;
}

export interface SubmitRequest {
  server: string;
  tool: string;
  args: unknown;
  /** `Idempotency-Key` HTTP header, if sent. */
  headerKey: string | null;
  /** `_meta["dev.switchyard/idempotency-key"]`, if sent. */
  metaKey: string | null;
  /** Extra facts kept with the call (protocol version, client info). */
  meta: JsonObject;
  /** Aborted when the client goes away: stop waiting (the call itself continues). */
  signal?: AbortSignal;
}

export type SubmitOutcome =
  /** No such tool on this server: a protocol error (-32602), not a tool result. */
  | { kind: 'unknown_tool' }
  /** Rejected before anything was enqueued (INVALID_ARGUMENTS, IDEMPOTENCY_KEY_REUSED, RATE_LIMITED, …). */
  | { kind: 'rejected'; error: ToolError; callId: string | null }
  /** The call settled within the wait. */
  | { kind: 'settled'; callId: string; result: CallResult }
  /** Still running when the wait ended: answer CALL_IN_PROGRESS with the call id. */
  | { kind: 'in_progress'; callId: string; status: string };

export type CallResult = { ok: true; data: JsonValue } | { ok: false; error: ToolError };
