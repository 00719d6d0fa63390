/**
 * The store could not be reached or could not answer (PostgreSQL refused, reset, shut down or silent past
 * the query timeout). A write that failed this way may or may not have been applied: callers treat its
 * outcome as unknown. Backends raise subclasses with their own detail (`postgres/db.ts`).
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** SQLite's codes for a database it cannot use right now (locked past busy_timeout, I/O, full disk). */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)/;

/**
 * Whether an error means the store was unavailable (rather than a bug or a refused statement): a
 * StoreUnavailableError of any backend, or SQLite's busy / I/O family.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof Error &&
    error.name === 'SqliteError' &&
    typeof code === 'string' &&
    SQLITE_UNAVAILABLE.test(code)
  );
}
