import type { JsonValue } from './json.js';

/**
 * Platform error codes. Recipes may not `fail` with these; they name their own business codes.
 * Each carries whether a retry of the same call could succeed.
 */
export const PLATFORM_ERROR_CODES = [
  'INVALID_ARGUMENTS',
  'CALL_IN_PROGRESS',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'UPSTREAM_UNAVAILABLE',
  'STEP_TIMEOUT',
  'CALL_DEADLINE_EXCEEDED',
  'OUTCOME_UNKNOWN',
  'DEAD_LETTERED',
  'CANCELLED',
  'COMPENSATION_FAILED',
  'INPUT_TIMEOUT',
  'INPUT_UNSUPPORTED',
  'INTERNAL',
] as const;
export type PlatformErrorCode = (typeof PLATFORM_ERROR_CODES)[number];

export function isPlatformErrorCode(code: string): code is PlatformErrorCode {
  return (PLATFORM_ERROR_CODES as readonly string[]).includes(code);
}

/** The error contract every failed tool result carries (plus the call id, added on the wire). */
export interface ToolError {
  code: string;
  message: string;
  retrySafe: boolean;
  /** HTTP-ish status for the REST face and for recipe `fail` steps (400, 404, 409, 422, 429, 5xx). */
  status?: number;
  /** Milliseconds after which a retry may succeed (rate limits, quotas, Retry-After). */
  retryAfterMs?: number;
  /** Extra machine-readable detail (never secrets). */
  details?: JsonValue;
}

/**
 * A failure raised while executing a call: by a connector, a step timeout, a recipe `fail`, … .
 * The worker turns it into a settled `ToolError`. This is the local family; the gateway owns the one
 * function that maps errors to the wire.
 */
export class CallError extends Error {
  readonly code: string;
  readonly retrySafe: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly details: JsonValue | undefined;

  constructor(error: ToolError, options?: { cause?: unknown }) {
    super(error.message, options);
    this.name = 'CallError';
    this.code = error.code;
    this.retrySafe = error.retrySafe;
    this.status = error.status;
    this.retryAfterMs = error.retryAfterMs;
    this.details = error.details;
  }

  toToolError(): ToolError {
    const out: ToolError = { code: this.code, message: this.message, retrySafe: this.retrySafe };
    if (this.status !== undefined) out.status = this.status;
    if (this.retryAfterMs !== undefined) out.retryAfterMs = this.retryAfterMs;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}

/** A user-facing configuration or input problem outside a call (bad flag, bad recipe folder, …). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
