import type { Store } from '../store/store.js';
import type { ProcessPool } from './process-pool.js';
import { desiredWorkers } from './scaling-policy.js';

export interface AutoscalerOptions {
  min: number;
  max: number;
  concurrency: number;
  utilization: number;
  upCooldownMs: number;
  downCooldownMs: number;
  intervalMs: number;
  onScale?: (event: { from: number; to: number; depth: number }) => void;
  onError?: (error: unknown) => void;
}

/** The supervisor's scaling loop on one machine: reads the queue depth, applies `desiredWorkers`. */
export class Autoscaler {
  private timer: NodeJS.Timeout | null = null;
  private lastUpAt = 0;
  private lastDownAt = 0;
  private busy = false;

  constructor(
    private readonly store: Store,
    private readonly pool: Pick<ProcessPool, 'target' | 'resize'>,
    private readonly options: AutoscalerOptions,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async tick(now = Date.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const depth = await this.store.queueDepth();
      const current = this.pool.target;
      const to = desiredWorkers({
        ...this.options,
        depth,
        current,
        now,
        lastUpAt: this.lastUpAt,
        lastDownAt: this.lastDownAt,
      });
      if (to === current) return;
      if (to > current) this.lastUpAt = now;
      else this.lastDownAt = now;
      this.pool.resize(to);
      this.options.onScale?.({ from: current, to, depth });
    } catch (error) {
      this.options.onError?.(error);
    } finally {
      this.busy = false;
    }
  }
}
