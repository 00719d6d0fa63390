import type { SqliteDatabase } from './open.js';
import { withBusyRetry } from './busy-retry.js';

interface Pending {
  operation: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: write operations run in batches, each batch one IMMEDIATE transaction with a savepoint
 * per operation (a failing operation rolls back alone and rejects alone). Under load a worker settles,
 * journals and claims for many calls at once and the gateway enqueues for many requests at once, so one
 * lock acquisition and one commit serve them all.
 *
 * When a batch runs: the first write of an event-loop turn is committed as soon as the code that asked
 * for it yields (a microtask), so a lone call waits for no extra turn; writes asked for later in the same
 * turn (under load: the other requests and settlements of that turn) are gathered and committed
 * together at the end of the turn.
 *
 * Operations commit in the order they were requested: while one batch waits out a lock held by another
 * process, later requests queue behind it rather than overtake it (a step's end never lands before
 * its start).
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  /** Set when this turn already committed a batch at once; cleared at the end of the turn. */
  private turnFlushed = false;
  private readonly inSavepoint: (operation: () => unknown) => unknown;
  private readonly batch: (items: Pending[]) => { ok: boolean; value: unknown }[];

  // Operations signal their own changes (queued as microtasks, so they fire after the batch commits).
  constructor(db: SqliteDatabase) {
    this.inSavepoint = db.transaction((operation: () => unknown) => operation());
    const run = db.transaction((items: Pending[]) =>
      items.map((item) => {
        try {
          return { ok: true, value: this.inSavepoint(item.operation) };
        } catch (error) {
          return { ok: false, value: error };
        }
      }),
    );
    this.batch = (items) => run.immediate(items);
  }

  run<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ operation, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    if (this.turnFlushed) return void setImmediate(() => void this.flush());
    this.turnFlushed = true;
    setImmediate(() => (this.turnFlushed = false));
    queueMicrotask(() => void this.flush());
  }

  private async flush(): Promise<void> {
    const items = this.queue;
    this.queue = [];
    this.scheduled = false;
    if (items.length === 0) return;
    this.flushing = true;
    let results: { ok: boolean; value: unknown }[];
    try {
      results = await withBusyRetry(() => this.batch(items));
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
    results.forEach((result, i) =>
      result.ok ? items[i]!.resolve(result.value) : items[i]!.reject(result.value),
    );
  }
}
