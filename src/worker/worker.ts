import type { ClaimedCall, Settlement } from '../store/store.js';
import { DrainInterrupt, runCall, type RunCallDeps } from './run-call.js';
import { LeaseLostError } from './run-errors.js';

export interface WorkerOptions {
  /** Calls this worker runs at once (they mostly wait on I/O). */
  concurrency: number;
  leaseMs: number;
  heartbeatMs: number;
  maxCrashes: number;
  /** How often to look for expired leases of other workers. */
  sweepMs?: number;
  onError?: (error: unknown) => void;
  /** Settled calls, journals and keys older than this are pruned (checked every `pruneEveryMs`). */
  retentionMs?: number;
  pruneEveryMs?: number;
  /** Called after this worker committed a settlement (forwarded to the gateway: it answers at once). */
  onSettled?: (callId: string, settlement: Settlement) => void;
  /** Called when a call ended here, so `room` grew. */
  onRoomFreed?: () => void;
  /**
   * False for a worker that runs only the calls handed to it (`adopt`): it never claims from the queue
   * and leaves expired leases to the workers that do (the gateway's eager worker, supervisor/eager-hand-off.ts).
   */
  claims?: boolean;
}

interface InFlight {
  claimed: ClaimedCall;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * A worker: claims runnable calls up to its concurrency, runs them, heartbeats their leases, and
 * reclaims calls whose workers died. Woken by store changes (in-process events, or the store's
 * cross-process signal) and by a timer at the next retry/lease moment — no fixed sleep loop.
 */
export class Worker {
  private readonly inFlight = new Map<string, InFlight>();
  private state: 'idle' | 'running' | 'draining' | 'stopped' = 'idle';
  private pumping = false;
  private pumpAgain = false;
  private unsubscribe: (() => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  /** The call this worker runs alone (crash isolation, see store/crash-isolation.ts), if any. */
  private isolating: string | null = null;
  /**
   * The queue may hold calls this worker had no room for (it was full when it looked, or gave a call
   * back): it looks again as soon as a call of its own ends. Otherwise the store's change signal (which
   * every settlement raises) is enough, and the end of a call beside others costs no query.
   */
  private turnedAway = false;

  constructor(
    private readonly deps: RunCallDeps,
    private readonly options: WorkerOptions,
  ) {}

  get id(): string {
    return this.deps.workerId;
  }

  get running(): number {
    return this.inFlight.size;
  }

  /** How many more calls this worker would run now (0 unless it is running, and while it isolates a call). */
  get room(): number {
    if (this.state !== 'running' || this.isolating !== null) return 0;
    return Math.max(0, this.options.concurrency - this.inFlight.size);
  }

  /**
   * Runs a call handed over already claimed for this worker (see gateway/hand-off.ts). With no room
   * (or while draining) it goes back to the queue at once, for whichever worker claims it next.
   */
  adopt(claimed: ClaimedCall): void {
    if (this.room > 0 && !this.inFlight.has(claimed.call.id)) return this.launch(claimed);
    this.turnedAway = true;
    this.deps.store
      .release(claimed.call.id, claimed.token)
      .catch((error: unknown) => this.options.onError?.(error));
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.options.heartbeatMs);
    this.heartbeatTimer.unref();
    if (!this.claims) return;
    this.unsubscribe = this.deps.store.onChange(() => this.pump());
    this.sweepTimer = setInterval(
      () => void this.sweep(),
      this.options.sweepMs ?? Math.max(50, Math.min(1000, this.options.leaseMs / 2)),
    );
    this.sweepTimer.unref();
    void this.sweep();
  }

  private get claims(): boolean {
    return this.options.claims !== false;
  }

  /** Stops claiming, lets in-flight calls finish within `graceMs`, then releases the rest. Idempotent. */
  async drain(graceMs: number): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'draining';
    this.unsubscribe?.();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    clearInterval(this.sweepTimer ?? undefined);
    const all = Promise.all([...this.inFlight.values()].map((f) => f.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    const remaining = [...this.inFlight.values()];
    for (const flight of remaining) flight.controller.abort(new DrainInterrupt());
    await Promise.all(remaining.map((f) => f.done));
    await Promise.all(
      remaining.map((f) => this.deps.store.release(f.claimed.call.id, f.claimed.token).catch(() => false)),
    );
    clearInterval(this.heartbeatTimer ?? undefined);
    this.state = 'stopped';
  }

  /** Claims as many calls as there is room for; coalesces concurrent wake-ups. */
  pump(): void {
    if (this.state !== 'running' || !this.claims) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.claimLoop().finally(() => {
      this.pumping = false;
    });
  }

  private async claimLoop(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        // None while isolating a call, or unless running.
        const room = this.room;
        if (room <= 0) {
          this.turnedAway = true;
          return;
        }
        this.turnedAway = false;
        const claimed = await this.deps.store.claim({
          workerId: this.id,
          limit: room,
          leaseMs: this.options.leaseMs,
          // A call whose crashes reached the limit runs only in a worker with nothing else to lose.
          isolation: { afterCrashes: this.options.maxCrashes, alone: this.inFlight.size === 0 },
        });
        for (const c of claimed) {
          if (c.isolated && this.inFlight.size > 0) {
            // A hand-off arrived while the claim was on its way: this call may not run beside it.
            this.turnedAway = true;
            this.deps.store
              .release(c.call.id, c.token)
              .catch((error: unknown) => this.options.onError?.(error));
            continue;
          }
          if (c.isolated) this.isolating = c.call.id;
          this.launch(c);
        }
        if (claimed.length === room) this.pumpAgain = true;
      } while (this.pumpAgain);
      await this.armWakeTimer();
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private launch(claimed: ClaimedCall): void {
    const controller = new AbortController();
    const done = runCall(this.deps, claimed, controller.signal)
      .then((settlement) => {
        if (settlement) this.options.onSettled?.(claimed.call.id, settlement);
      })
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.inFlight.delete(claimed.call.id);
        if (this.isolating === claimed.call.id) this.isolating = null;
        this.options.onRoomFreed?.();
        // An idle worker looks too: a call held back for isolation runs only in a worker with nothing else.
        if (this.turnedAway || this.inFlight.size === 0) this.pump();
      });
    this.inFlight.set(claimed.call.id, { claimed, controller, done });
  }

  /** Sleeps until the next retry becomes due, a lease may expire or an ask runs out, whichever is first. */
  private async armWakeTimer(): Promise<void> {
    const next = await this.deps.store.nextWakeAt();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    if (next === null || this.state !== 'running') return;
    this.wakeTimer = setTimeout(() => void this.sweep(), Math.max(1, next - Date.now()));
    this.wakeTimer.unref();
  }

  private async heartbeat(): Promise<void> {
    for (const flight of this.inFlight.values()) {
      const { call, token } = flight.claimed;
      try {
        const result = await this.deps.store.heartbeat(call.id, token, this.options.leaseMs);
        if (!result.ok) flight.controller.abort(new LeaseLostError(call.id));
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  private async sweep(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      await this.deps.store.reclaimExpired({ maxCrashes: this.options.maxCrashes });
      // Calls that waited for client input past their ask's ttl fail INPUT_TIMEOUT.
      await this.deps.store.expireAsks();
      const retention = this.options.retentionMs;
      if (retention !== undefined && Date.now() - this.lastPrune > (this.options.pruneEveryMs ?? 600_000)) {
        this.lastPrune = Date.now();
        await this.deps.store.prune({ settledBefore: Date.now() - retention });
      }
    } catch (error) {
      this.options.onError?.(error);
    }
    this.pump();
  }
}
