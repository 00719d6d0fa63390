import type { CallStatus } from '../core/call-status.js';
import type { ToolError } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { InputRequestMap } from '../store/store.js';
import type { ParamHeader } from '../core/param-headers.js';

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
  /** Tasks extension: whether a call may, must or never becomes a task (default optional). */
  taskSupport?: TaskSupport;
  /** Client capabilities (2026-07-28 per-request) a call needs, or null. */
  requiredCapabilities?: JsonObject | null;
  /** The input schema's `x-mcp-header` annotations (SEP-2243), checked on 2026-07-28 tools/call. */
  paramHeaders?: readonly ParamHeader[];
}

/** A recipe's `task:` key. */
export type TaskSupport = 'optional' | 'required' | 'never';

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
  /** How long to wait for the settlement instead of the recipe's `wait` (0: answer once committed). */
  waitMs?: number;
  /** A resource template's backing recipe: runs even when the recipe is not exposed on the server. */
  internal?: boolean;
  /** Called once per recipe step that finishes while the request waits (progress notifications). */
  onProgress?: (progress: StepProgress) => void;
  /**
   * A retry answering an InputRequiredResult (2026-07-28): the echoed `requestState` (looked up in the
   * store, never trusted otherwise) and the client's `inputResponses`.
   */
  resume?: { requestState: string; inputResponses: JsonObject };
}

/** One finished step of a call: `progress` of `total` top-level steps. */
export interface StepProgress {
  progress: number;
  total: number;
  message: string;
}

export type SubmitOutcome =
  /** No such tool on this server: a protocol error (-32602), not a tool result. */
  | { kind: 'unknown_tool' }
  /** Rejected before anything was enqueued (INVALID_ARGUMENTS, IDEMPOTENCY_KEY_REUSED, RATE_LIMITED, …). */
  | { kind: 'rejected'; error: ToolError; callId: string | null }
  /** The call settled within the wait. */
  | { kind: 'settled'; callId: string; result: CallResult }
  /** Still running when the wait ended: answer CALL_IN_PROGRESS with the call id. */
  | { kind: 'in_progress'; callId: string; status: string }
  /**
   * The call waits for client input (an `ask` step): answer an InputRequiredResult with the requests
   * still unanswered and the ask's token as `requestState`.
   */
  | { kind: 'input_required'; callId: string; requestState: string; inputRequests: InputRequestMap }
  /**
   * A retry's `requestState` or `inputResponses` was refused (unknown or tampered state, a response that
   * does not fit its request): a JSON-RPC -32602 with `data`. Nothing was recorded; an open ask stays open.
   */
  | { kind: 'invalid_input'; message: string; callId: string | null; data: JsonObject }
  /**
   * The store failed under the call (unreachable, or silent past its query timeout): an INTERNAL tool
   * result (REST 503), with the call id when the call was recorded before the failure (store-outage.ts).
   */
  | { kind: 'store_unavailable'; error: ToolError; callId: string | null };

/** A settled call's outcome; `content` holds the recipe's extra content blocks (image, audio, resource, …). */
export type CallResult =
  { ok: true; data: JsonValue; content?: JsonObject[] } | { ok: false; error: ToolError };

/**
 * The Tasks extension's view of calls (the task id is the call id), answered from the store by any
 * gateway. Null means no such call in this workspace.
 */
export interface TaskService {
  getTask(callId: string): Promise<TaskView | null>;
  /**
   * `tasks/update`: records the responses to the task's open ask (unknown keys ignored, a task not waiting
   * for input acknowledges nothing). Null when there is no such task; `invalid` when a response does not
   * fit its request (nothing recorded).
   */
  answerTask(
    callId: string,
    inputResponses: JsonObject,
  ): Promise<{ kind: 'ok' } | { kind: 'invalid'; message: string; data: JsonObject } | null>;
  /** Cooperative: the store's cancel; a settled call is left as it is. */
  cancelTask(callId: string, reason: string): Promise<TaskView | null>;
}

export interface TaskView {
  callId: string;
  tool: string;
  status: CallStatus;
  createdAt: number;
  updatedAt: number;
  /** How long the task stays readable from its creation (its deadline plus the retention), or null. */
  ttlMs: number | null;
  /** The result once settled (succeeded or failed); null while running and for a cancelled call. */
  result: CallResult | null;
  /** Why a settled call's result could not be rendered (a JSON-RPC internal error), or null. */
  fault: string | null;
  /** While the call waits for input: the requests of its open ask still unanswered; else null. */
  inputRequests: InputRequestMap | null;
}
