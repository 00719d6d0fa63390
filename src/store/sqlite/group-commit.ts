import type { SqliteDatabase } from './open.js';
import { withBusyRetry } from './busy-retry.js';

interface Pending {
  operation: () => unknown;
  /** Rolls back alone by itself (a transaction of its own, nested as a savepoint, or one statement). */
  atomic: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: write operations run in batches, each batch one IMMEDIATE transaction with a savepoint
 * per operation (a failing operation rolls back alone and rejects alone). Under load a worker settles,
 * journals and claims for many calls at once and the gateway enqueues for many requests at once, so one
 * lock acquisition and one commit serve them all.
 *
 * When a batch runs: at the end of the event-loop turn that asked for it (`setImmediate`, the check
 * phase right after the I/O callbacks of the turn), so every write of the turn (under load: the
 * requests and settlements read in one poll of the sockets) shares one commit, and a lone write waits
 * only for the turn's other callbacks. Committing the first write of a turn at once (a microtask) and the
 * rest at its end cost a second transaction per busy turn: about 10 % of the throughput at concurrency 10
 * (`npm run bench:compare`, docs/benchmarks.md).
 *
 * Operations commit in the order they were requested: while one batch waits out a lock held by another
 * process, later requests queue behind it rather than overtake it (a step's end never lands before
 * its start).
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;
  private readonly inSavepoint: (operation: () => unknown) => unknown;
  private readonly batch: (items: Pending[]) => { ok: boolean; value: unknown }[];

  // Operations signal their own changes (queued as microtasks, so they fire after the batch commits).
  constructor(db: SqliteDatabase) {
    this.inSavepoint = db.transaction((operation: () => unknown) => operation());
    const run = db.transaction((items: Pending[]) =>
      items.map((item) => {
        try {
          return { ok: true, value: item.atomic ? item.operation() : this.inSavepoint(item.operation) };
        } catch (error) {
          return { ok: false, value: error };
        }
      }),
    );
    this.batch = (items) => run.immediate(items);
  }

  run<T>(operation: () => T): Promise<T> {
    return this.enqueue(operation, false);
  }

  /**
   * `run` for an operation that is atomic by itself: a better-sqlite3 transaction (inside the batch it
   * becomes a savepoint of its own) or a single statement. It needs no second savepoint around it: on
   * the hot path (enqueue, settle) that saves two statements an operation.
   */
  runAtomic<T>(operation: () => T): Promise<T> {
    return this.enqueue(operation, true);
  }

  private enqueue<T>(operation: () => T, atomic: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ operation, atomic, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
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
