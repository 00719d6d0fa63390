/**
 * The listeners of a store's change signal (`Store.onChange`), shared by the backends; each backend
 * decides when a change happened (its own commits, and another process's, seen its own way).
 *
 * Signals coalesce: a change announced while a signal is already scheduled is covered by it (the signal
 * runs after the change). With `minGapMs` > 0, signals are also spaced at least that far apart: the first
 * of a burst goes out at once (a microtask), the rest of the burst leaves in one signal at the end of the
 * gap, so a burst of commits costs the listeners a few wake-ups rather than one each.
 */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** When the last signal went out (ms since epoch, process clock); 0 before the first. */
  lastSignalAt = 0;

  constructor(
    private readonly hooks: {
      /** The first listener subscribed (start watching for other processes' changes). */
      onActive?: () => void;
      /** The last listener left. */
      onIdle?: () => void;
    } = {},
    private readonly minGapMs = 0,
  ) {}

  get listening(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: () => void): () => void {
    if (this.closed) return () => undefined;
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.hooks.onActive?.();
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (this.listeners.size === 0 && !this.closed) this.hooks.onIdle?.();
    };
  }

  /** A change was committed: signal the listeners (soon, coalesced). */
  changed(): void {
    if (this.scheduled || this.listeners.size === 0) return;
    this.scheduled = true;
    const wait = this.lastSignalAt + this.minGapMs - Date.now();
    if (wait <= 0) queueMicrotask(() => this.fire());
    else {
      this.timer = setTimeout(() => this.fire(), wait);
      this.timer.unref();
    }
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    clearTimeout(this.timer);
  }

  private fire(): void {
    this.scheduled = false;
    this.lastSignalAt = Date.now();
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        // One faulty listener must neither starve the others nor kill the watcher.
        process.emitWarning(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}
