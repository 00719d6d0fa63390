import { assertNever, type CallStatus } from '../core/call-status.js';
import type { ToolError } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type {
  AskRecord,
  AskStatus,
  AttemptOutcome,
  AttemptRecord,
  CallRecord,
  ConnectionRecord,
  IdempotencySource,
  InputRequestMap,
  JournalEntry,
  Settlement,
  StepEffect,
  StepKind,
  TokenRecord,
} from './store.js';

/**
 * Rows as the SQL backends return them, and their mapping to the Store's records. Both backends keep the
 * same columns: times as integer milliseconds since the epoch, JSON as TEXT (exactly the text the store
 * wrote, so records read back equal on every backend), so one mapping serves both.
 */

export interface CallRow {
  id: string;
  workspace: string;
  tool: string;
  release_id: string;
  args: string;
  args_hash: string;
  idempotency_key: string | null;
  idempotency_source: string | null;
  status: string;
  attempt: number;
  error_attempts: number;
  crash_count: number;
  max_attempts: number;
  lease_token: number;
  lease_expires_at: number | null;
  worker_id: string | null;
  run_after: number;
  deadline_at: number | null;
  concurrency_limit: number | null;
  isolated: number;
  result: string | null;
  error: string | null;
  meta: string;
  created_at: number;
  updated_at: number;
  settled_at: number | null;
}

export interface JournalRow {
  id: number;
  call_id: string;
  attempt: number;
  step_path: string;
  kind: string;
  target: string | null;
  effect: string;
  worker_id: string;
  lease_token: number;
  status: string;
  request: string | null;
  response: string | null;
  output: string | null;
  error: string | null;
  started_at: number;
  finished_at: number | null;
}

export interface AttemptRow {
  call_id: string;
  attempt: number;
  lease_token: number;
  worker_id: string;
  outcome: string;
  error: string | null;
  note: string | null;
  started_at: number;
  ended_at: number | null;
}

/** JSON text for a column; null and undefined both become SQL NULL. */
export function toJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function fromJson<T extends JsonValue | ToolError>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function toCall(row: CallRow): CallRecord {
  return {
    id: row.id,
    workspace: row.workspace,
    tool: row.tool,
    releaseId: row.release_id,
    args: JSON.parse(row.args) as JsonObject,
    argsHash: row.args_hash,
    idempotencyKey: row.idempotency_key,
    idempotencySource: row.idempotency_source as IdempotencySource | null,
    status: row.status as CallStatus,
    attempt: row.attempt,
    errorAttempts: row.error_attempts,
    crashCount: row.crash_count,
    maxAttempts: row.max_attempts,
    leaseToken: row.lease_token,
    leaseExpiresAt: row.lease_expires_at,
    workerId: row.worker_id,
    runAfter: row.run_after,
    deadlineAt: row.deadline_at,
    result: fromJson<JsonValue>(row.result),
    error: fromJson<ToolError>(row.error),
    meta: JSON.parse(row.meta) as JsonObject,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    settledAt: row.settled_at,
  };
}

export function toJournalEntry(row: JournalRow): JournalEntry {
  return {
    id: row.id,
    callId: row.call_id,
    attempt: row.attempt,
    stepPath: row.step_path,
    kind: row.kind as StepKind,
    target: row.target,
    effect: row.effect as StepEffect,
    workerId: row.worker_id,
    leaseToken: row.lease_token,
    status: row.status as JournalEntry['status'],
    request: fromJson<JsonValue>(row.request),
    response: fromJson<JsonValue>(row.response),
    output: fromJson<JsonValue>(row.output),
    error: fromJson<ToolError>(row.error),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toAttempt(row: AttemptRow): AttemptRecord {
  return {
    callId: row.call_id,
    attempt: row.attempt,
    leaseToken: row.lease_token,
    workerId: row.worker_id,
    outcome: row.outcome as AttemptOutcome,
    error: fromJson<ToolError>(row.error),
    note: row.note,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

/** The attempt outcome a settlement records. */
export function outcomeOf(settlement: Settlement): AttemptOutcome {
  switch (settlement.status) {
    case 'succeeded':
    case 'failed':
    case 'dead':
    case 'outcome_unknown':
      return settlement.status;
    case 'retry_wait':
      return 'retry';
    default:
      return assertNever(settlement);
  }
}

export interface ConnectionRow {
  workspace: string;
  name: string;
  id: string;
  connector: string;
  config: string;
  secret_names: string;
  sealed: string;
  created_at: number;
  updated_at: number;
}

export interface TokenRow {
  connection_id: string;
  sealed: string | null;
  expires_at: number | null;
  version: number;
  refresh_owner: string | null;
  refresh_until: number | null;
}

export function toConnection(row: ConnectionRow): ConnectionRecord {
  return {
    workspace: row.workspace,
    name: row.name,
    id: row.id,
    connector: row.connector,
    config: JSON.parse(row.config) as JsonObject,
    secretNames: JSON.parse(row.secret_names) as string[],
    sealed: row.sealed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toToken(row: TokenRow): TokenRecord {
  return {
    connectionId: row.connection_id,
    sealed: row.sealed,
    expiresAt: row.expires_at,
    version: row.version,
    refreshOwner: row.refresh_owner,
    refreshUntil: row.refresh_until,
  };
}

export interface AskRow {
  token: string;
  workspace: string;
  call_id: string;
  step_path: string;
  attempt: number;
  requests: string;
  answers: string;
  status: string;
  created_at: number;
  expires_at: number;
  answered_at: number | null;
}

export function toAsk(row: AskRow): AskRecord {
  return {
    token: row.token,
    workspace: row.workspace,
    callId: row.call_id,
    stepPath: row.step_path,
    attempt: row.attempt,
    requests: JSON.parse(row.requests) as InputRequestMap,
    answers: JSON.parse(row.answers) as JsonObject,
    status: row.status as AskStatus,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    answeredAt: row.answered_at,
  };
}

/** The error a call whose ask expired settles with. */
export function inputTimeoutError(stepPath: string): ToolError {
  return {
    code: 'INPUT_TIMEOUT',
    message: `nobody answered the input request of step ${stepPath} before its ttl ended; retry with the same idempotency key to be asked again`,
    retrySafe: true,
  };
}
