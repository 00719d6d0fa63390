import { CallError } from '../../core/errors.js';
import type { StepEffect } from '../../store/store.js';

// The socket never connected: nothing ran.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function notReadOnly(): CallError {
  const message = 'sql.query runs read-only statements; use sql.execute to write';
  return new CallError({ code: 'SQL_NOT_READ_ONLY', message, retrySafe: false });
}

/**
 * Maps a driver error to a CallError. A single statement is its own transaction, so a statement the
 * database refused (busy, serialization failure, deadlock, statement timeout) left nothing behind and is
 * retry-safe; a connection lost mid-statement may have committed, so it is retry-safe only when the
 * effect is not unsafe. Constraint violations and SQL errors are final.
 */
export function sqlFailure(error: unknown, effect: StepEffect): CallError {
  if (error instanceof CallError) return error;
  if (!(error instanceof Error)) {
    return new CallError({ code: 'SQL_ERROR', message: String(error), retrySafe: false });
  }
  const code = (error as { code?: unknown }).code;
  const repeatable = effect !== 'unsafe';
  const as = (mapped: string, retrySafe: boolean, details?: Record<string, string>) =>
    new CallError({ code: mapped, message: error.message, retrySafe, details }, { cause: error });

  if (typeof code !== 'string') {
    // better-sqlite3 reports binding and opening problems as plain RangeError/TypeError.
    if (error instanceof RangeError || error instanceof TypeError) return as('SQL_INVALID', false);
    // pg's pool gave up waiting for a connection: nothing was sent.
    if (/timeout exceeded when trying to connect/i.test(error.message)) {
      return as('UPSTREAM_UNAVAILABLE', true);
    }
    return as('UPSTREAM_UNAVAILABLE', repeatable);
  }
  if (code.startsWith('SQLITE_')) {
    const details = { sqlite_code: code };
    if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return as('UPSTREAM_UNAVAILABLE', true, details);
    if (code.startsWith('SQLITE_CONSTRAINT')) return as('SQL_CONSTRAINT', false, details);
    if (code.startsWith('SQLITE_READONLY')) return as('SQL_NOT_READ_ONLY', false, details);
    return as('SQL_ERROR', false, details);
  }
  if (/^[0-9A-Z]{5}$/.test(code)) {
    const details = { sqlstate: code };
    const cls = code.slice(0, 2);
    if (cls === '23') return as('SQL_CONSTRAINT', false, details);
    if (code === '25006') return as('SQL_NOT_READ_ONLY', false, details);
    if (code === '57014') return as('STEP_TIMEOUT', true, details);
    // Serialization failure, deadlock, out of resources, "cannot connect now": refused before anything stuck.
    if (cls === '40' || cls === '53' || code === '57P03') return as('UPSTREAM_UNAVAILABLE', true, details);
    if (cls === '08' || cls === '57') return as('UPSTREAM_UNAVAILABLE', repeatable, details);
    return as('SQL_ERROR', false, details);
  }
  return as('UPSTREAM_UNAVAILABLE', NOT_SENT_CODES.has(code) || repeatable);
}
