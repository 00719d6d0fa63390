import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteSynchronous } from './open.js';

/**
 * Checkpoints the WAL from a thread of its own. SQLite's automatic checkpoint runs inside whichever
 * commit pushes the WAL past its threshold: every few dozen calls, one request would copy hundreds of
 * pages into the database file and fsync twice on the event loop that serves every client. A PASSIVE
 * checkpoint on another connection never blocks writers, so doing it here takes that work off the hot
 * path (the main connection keeps a high automatic threshold as a safety valve, should this thread
 * fall behind). The thread's code is plain CommonJS, so it runs the same from src/ (tests) and dist/.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 0 });
db.pragma('busy_timeout = 0');
db.pragma('synchronous = ' + workerData.synchronous);
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** The automatic checkpoint threshold (pages) of a connection whose WAL a Checkpointer looks after. */
export const SAFETY_VALVE_PAGES = 10_000;

export class Checkpointer {
  private readonly thread: Worker;
  private readonly exited: Promise<void>;

  constructor(options: { file: string; synchronous: SqliteSynchronous; intervalMs?: number }) {
    this.thread = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file: options.file,
        synchronous: options.synchronous,
        intervalMs: options.intervalMs ?? 50,
      },
    });
    // The thread is housekeeping: it never keeps the process alive, and its failure is not the store's
    // (the main connection's automatic checkpoint takes over).
    this.thread.unref();
    this.exited = new Promise((resolve) => {
      this.thread.once('exit', () => resolve());
      this.thread.once('error', () => resolve());
    });
  }

  /** A last checkpoint, then the thread ends. */
  async close(): Promise<void> {
    // Held until it ends: a process awaiting only this close must not exit from under it.
    this.thread.ref();
    this.thread.postMessage('stop');
    await this.exited;
  }
}
