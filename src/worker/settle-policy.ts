import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import type { ToolError } from '../core/errors.js';
import type { CallRecord, Settlement } from '../store/store.js';

/**
 * Decides how a failed attempt settles: retried later (retry-safe, attempts and deadline left), failed
 * for good, or outcome_unknown. Business failures from `fail` steps are final: their `retry_safe` tells
 * the client it may retry, the platform does not retry them on its own.
 */
export function settlementForError(
  call: CallRecord,
  error: ToolError,
  options: { final: boolean; backoff: BackoffPolicy; now: number; random?: () => number },
): Settlement {
  if (error.code === 'OUTCOME_UNKNOWN') return { status: 'outcome_unknown', error };
  const attemptsUsed = call.errorAttempts + 1;
  if (options.final || !error.retrySafe || attemptsUsed >= call.maxAttempts) {
    return { status: 'failed', error: attemptsUsed > 1 ? withAttempts(error, attemptsUsed) : error };
  }
  const delay = Math.max(
    backoffDelay(options.backoff, attemptsUsed, options.random),
    error.retryAfterMs ?? 0,
  );
  const runAfter = options.now + delay;
  if (call.deadlineAt !== null && runAfter >= call.deadlineAt) {
    return { status: 'failed', error: attemptsUsed > 1 ? withAttempts(error, attemptsUsed) : error };
  }
  return { status: 'retry_wait', error, runAfter };
}

function withAttempts(error: ToolError, attempts: number): ToolError {
  return { ...error, message: `${error.message} (gave up after ${attempts} attempts)` };
}
