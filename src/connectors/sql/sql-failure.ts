import { CallError } from '../../core/errors.js';
import type { StepEffect } from '../../store/store.js';

// The socket never connected (or the pool never handed out a client): nothing ran.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function notReadOnly(): CallError {
  return new CallError({
    code: 'SQL_NOT_READ_ONLY',
    message: 'sql.query runs read-only statements; use sql.execute to write',
    retrySafe: false,
  });
}

/**
 * Maps a driver error to a CallError. A single statement is its own transaction, so a statement the
 * database refused (busy, serialization failure, deadlock, statement timeout) left nothing behind and is
 * retry-safe; a connection lost mid-statement may have committed, so it is retry-safe only when the
 * effect is not unsafe. Constraint violations and SQL errors are final.
 */
export function sqlFailure(error: unknown, effect: StepEffect): CallError {
  if (error instanceof CallError) return error;
  if (!(error instanceof Error)) return fail('SQL_ERROR', String(error), false);
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') {
    // better-sqlite3 reports binding problems as plain RangeError/TypeError.
    if (error instanceof RangeError || error instanceof TypeError)
      return fail('SQL_INVALID', error.message, false, error);
    if (/timeout exceeded when trying to connect/i.test(error.message))
      return fail('UPSTREAM_UNAVAILABLE', error.message, true, error);
    return fail('UPSTREAM_UNAVAILABLE', error.message, effect !== 'unsafe', error);
  }
  if (code.startsWith('SQLITE_')) return sqliteFailure(code, error);
  if (/^[0-9A-Z]{5}$/.test(code)) return postgresFailure(code, error, effect);
  return fail(
    'UPSTREAM_UNAVAILABLE',
    `the database could not be reached (${code})`,
    NOT_SENT_CODES.has(code) || effect !== 'unsafe',
    error,
  );
}

function sqliteFailure(code: string, error: Error): CallError {
  const details = { sqlite_code: code };
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return fail('UPSTREAM_UNAVAILABLE', error.message, true, error, details);
  if (code.startsWith('SQLITE_CONSTRAINT'))
    return fail('SQL_CONSTRAINT', error.message, false, error, details);
  if (code.startsWith('SQLITE_READONLY'))
    return fail('SQL_NOT_READ_ONLY', error.message, false, error, details);
  return fail('SQL_ERROR', error.message, false, error, details);
}

function postgresFailure(sqlstate: string, error: Error, effect: StepEffect): CallError {
  const details = { sqlstate };
  const cls = sqlstate.slice(0, 2);
  if (cls === '23') return fail('SQL_CONSTRAINT', error.message, false, error, details);
  if (sqlstate === '25006') return fail('SQL_NOT_READ_ONLY', error.message, false, error, details);
  if (sqlstate === '57014') return fail('STEP_TIMEOUT', error.message, true, error, details);
  // Serialization failure, deadlock, out of resources, "cannot connect now": refused before anything stuck.
  if (cls === '40' || cls === '53' || sqlstate === '57P03')
    return fail('UPSTREAM_UNAVAILABLE', error.message, true, error, details);
  if (cls === '08' || cls === '57')
    return fail('UPSTREAM_UNAVAILABLE', error.message, effect !== 'unsafe', error, details);
  return fail('SQL_ERROR', error.message, false, error, details);
}

function fail(
  code: string,
  message: string,
  retrySafe: boolean,
  cause?: Error,
  details?: Record<string, string>,
): CallError {
  return new CallError({ code, message, retrySafe, details }, { cause });
}
