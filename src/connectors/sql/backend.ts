import type { JsonObject } from '../../core/json.js';
import type { BoundParams } from './bind.js';
import type { SqlDialect, SqlText } from './sql-text.js';

/** One database (a SQLite file or a PostgreSQL pool) as the `sql` actions use it. */
export interface SqlBackend {
  readonly dialect: SqlDialect;
  /** Runs a statement that must not write; one that would is refused with SQL_NOT_READ_ONLY. */
  query(text: SqlText, params: BoundParams, signal: AbortSignal): Promise<JsonObject[]>;
  execute(text: SqlText, params: BoundParams, signal: AbortSignal): Promise<ExecuteResult>;
  close(): Promise<void>;
}

export interface ExecuteResult {
  rowCount: number;
  /** SQLite's rowid of an INSERT that inserted (PostgreSQL: use RETURNING). */
  lastInsertId?: number | string;
  /** Rows of a statement that returns them (`RETURNING`). */
  rows?: JsonObject[];
}
