import Database from 'better-sqlite3';
import type { JsonValue } from '../../core/json.js';
import { abortError } from '../abort-error.js';
import type { SqlBackend } from './backend.js';
import type { BoundParams } from './bind.js';
import { toJsonRow, toJsonValue } from './json-row.js';
import { notReadOnly } from './sql-failure.js';
import type { SqlText } from './sql-text.js';

/**
 * A SQLite database through better-sqlite3: one connection per file, statements run synchronously (they
 * block the worker's event loop while they run, as SQLite work always does in Node). Each statement is
 * its own transaction.
 */
export function openSqlite(path: string): SqlBackend {
  const db = new Database(path);
  const prepare = (text: SqlText, signal: AbortSignal) => {
    if (signal.aborted) throw abortError(signal);
    // Exact 64-bit integers; toJsonValue turns them back into numbers where that loses nothing.
    return db.prepare(text.sql).safeIntegers(true);
  };
  return {
    dialect: 'sqlite',
    async query(text, params, signal) {
      const stmt = prepare(text, signal);
      if (!stmt.readonly) throw notReadOnly();
      if (!stmt.reader) {
        stmt.run(...args(text, params));
        return [];
      }
      return (stmt.all(...args(text, params)) as Record<string, unknown>[]).map(toJsonRow);
    },
    async execute(text, params, signal) {
      const stmt = prepare(text, signal);
      if (stmt.reader) {
        const rows = (stmt.all(...args(text, params)) as Record<string, unknown>[]).map(toJsonRow);
        return { rowCount: rows.length, rows };
      }
      const info = stmt.run(...args(text, params));
      // The rowid is the connection's last insert: only meaningful when this statement inserted.
      const inserted = info.changes > 0 && /^\s*(insert|replace)\b/i.test(text.code);
      return inserted
        ? { rowCount: info.changes, lastInsertId: toJsonValue(info.lastInsertRowid) as number | string }
        : { rowCount: info.changes };
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

/** better-sqlite3 takes positional values as arguments and named ones as a trailing object. */
function args(text: SqlText, params: BoundParams): unknown[] {
  const out: unknown[] = params.positional.map(toSqlite);
  if (text.placeholders.some((p) => p.kind === 'named')) {
    out.push(
      Object.fromEntries(Object.entries(params.named).map(([name, value]) => [name, toSqlite(value)])),
    );
  }
  return out;
}

/** SQLite has no boolean or JSON type: booleans bind as 1/0, objects and arrays as JSON text. */
function toSqlite(value: JsonValue): string | number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}
