/**
 * Runs a synchronous SQLite operation, retrying on SQLITE_BUSY by yielding to the event loop.
 *
 * Why not `busy_timeout`: SQLite's own busy handler sleeps in steps of 1, 2, 5, 10… ms. With several
 * processes writing small transactions (the gateway enqueues while workers claim and settle), a lock
 * is usually free again within microseconds, so sleeping a whole millisecond per conflict dominates
 * latency. Retrying on the next event-loop turn waits about as long as the lock is actually held,
 * and lets this process serve other requests meanwhile. The whole operation is retried: a transaction
 * that hit BUSY was rolled back, so nothing of it was applied.
 */
export async function withBusyRetry<T>(operation: () => T, timeoutMs = 10_000): Promise<T> {
  let deadline = 0;
  for (let tries = 0; ; tries++) {
    try {
      return operation();
    } catch (error) {
      if (!isBusy(error)) throw error;
      const now = Date.now();
      if (deadline === 0) deadline = now + timeoutMs;
      else if (now > deadline) throw error;
      // Yield to the event loop; back off to short timers only after many immediate retries.
      await new Promise<void>((resolve) => (tries < 50 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
