import { ChangeSignal } from '../change-signal.js';
import type { SqliteDatabase } from './open.js';

/**
 * Change signal for one store connection. Own commits are announced directly (`changed()`); other
 * processes' commits show up as a new `PRAGMA data_version`, which only moves for commits made through
 * other connections, so polling it costs one tiny query and never echoes our own writes.
 */
export class ChangeNotifier {
  private readonly signal = new ChangeSignal({
    onActive: () => this.startPolling(),
    onIdle: () => this.stopPolling(),
  });
  private readonly dataVersion;
  private lastVersion = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    db: SqliteDatabase,
    private readonly pollIntervalMs: number,
  ) {
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  subscribe(listener: () => void): () => void {
    return this.signal.subscribe(listener);
  }

  /** Called after this process committed a change; bursts of commits coalesce into one signal. */
  changed(): void {
    this.signal.changed();
  }

  close(): void {
    this.closed = true;
    this.signal.close();
    this.stopPolling();
  }

  private startPolling(): void {
    if (this.timer || this.closed) return;
    this.lastVersion = this.dataVersion.get() ?? 0;
    this.schedule();
  }

  private stopPolling(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    // Self-rescheduling rather than setInterval: a slow tick never piles up behind itself.
    this.timer = setTimeout(() => this.poll(), this.pollIntervalMs);
    this.timer.unref();
  }

  private poll(): void {
    if (this.closed || !this.signal.listening) return;
    let version: number;
    try {
      version = this.dataVersion.get() ?? 0;
    } catch {
      // A busy or closing database: try again next tick rather than dying.
      return this.schedule();
    }
    if (version !== this.lastVersion) {
      this.lastVersion = version;
      this.changed();
    }
    this.schedule();
  }
}
