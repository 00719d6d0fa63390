import { fork, type ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';

export interface ProcessPoolOptions {
  /** The module to run in each child (the CLI entry). */
  modulePath: string;
  /** Arguments for each child, e.g. ['worker', '--data-dir', …]. */
  args: string[];
  env: NodeJS.ProcessEnv;
  size: number;
  /** Delay before restarting a child that died; doubles per quick death, capped. */
  restartDelayMs?: number;
  /** How long a child may take to drain on stop before it is killed. */
  stopTimeoutMs: number;
  /** Niceness added to each child's CPU priority (0: the same as this process's). */
  nice?: number;
  onEvent?: (event: PoolEvent) => void;
  /** A child exited (before any restart). */
  onExit?: (child: ChildProcess) => void;
}

export type PoolEvent =
  | { kind: 'started'; pid: number; slot: number }
  | {
      kind: 'exited';
      pid: number;
      slot: number;
      code: number | null;
      signal: NodeJS.Signals | null;
      restarting: boolean;
    };

/**
 * Keeps `size` worker processes alive: a child that dies (crash, kill -9) is replaced after a short
 * delay. Its calls are not lost: their leases expire and another worker resumes them.
 */
export class ProcessPool {
  private readonly children = new Map<number, ChildProcess>();
  private stopping = false;
  /** Slots at or above this are not (re)started: the pool's current size. */
  private size: number;
  private readonly restartTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: ProcessPoolOptions) {
    this.size = options.size;
  }

  start(): void {
    for (let slot = 0; slot < this.size; slot++) this.spawn(slot, 0);
  }

  /** How many workers the pool keeps now. */
  get target(): number {
    return this.size;
  }

  /**
   * Grows or shrinks the pool. New slots start at once; removed slots get SIGTERM (their workers drain:
   * in-flight calls finish or go back to the queue) and are not restarted.
   */
  resize(size: number): void {
    if (this.stopping || size === this.size) return;
    const previous = this.size;
    this.size = size;
    for (let slot = previous; slot < size; slot++) if (!this.children.has(slot)) this.spawn(slot, 0);
    for (let slot = size; slot < previous; slot++) this.children.get(slot)?.kill('SIGTERM');
  }

  /** The pids of the live children, by slot. */
  pids(): number[] {
    return [...this.children.values()].map((c) => c.pid ?? -1);
  }

  private nextSlot = 0;

  /**
   * Sends a message to one live child, round-robin (a wake-up for one new call needs one worker; waking
   * all would have them race for the same claim). The others still learn of it from the store's signal.
   */
  sendToOne(message: unknown): void {
    const live = [...this.children.values()].filter((c) => c.connected);
    if (live.length === 0) return;
    const child = live[this.nextSlot++ % live.length]!;
    child.send(message as never, () => undefined);
  }

  /** SIGTERM to every child (they drain), SIGKILL after the timeout. Idempotent. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    const exits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }

  private spawn(slot: number, quickDeaths: number): void {
    const startedAt = Date.now();
    const child = fork(this.options.modulePath, this.options.args, {
      env: this.options.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.children.set(slot, child);
    if (child.pid) {
      this.lowerPriority(child.pid);
      this.options.onEvent?.({ kind: 'started', pid: child.pid, slot });
    }
    child.on('message', (message) => this.onChildMessage?.(message, child));
    child.once('exit', (code, signal) => {
      this.children.delete(slot);
      this.options.onExit?.(child);
      const restarting = !this.stopping && slot < this.size;
      this.options.onEvent?.({ kind: 'exited', pid: child.pid ?? -1, slot, code, signal, restarting });
      if (!restarting) return;
      const quick = Date.now() - startedAt < 5000 ? quickDeaths + 1 : 0;
      const delay = Math.min(10_000, (this.options.restartDelayMs ?? 100) * 2 ** Math.max(0, quick - 1));
      const timer = setTimeout(() => {
        this.restartTimers.delete(timer);
        if (!this.stopping && slot < this.size) this.spawn(slot, quick);
      }, delay);
      this.restartTimers.add(timer);
    });
  }

  private lowerPriority(pid: number): void {
    const nice = this.options.nice ?? 0;
    if (nice === 0) return;
    try {
      // Relative to ours: a supervisor started with `nice` keeps its workers below itself.
      setPriority(pid, Math.min(19, getPriority() + nice));
    } catch {
      // A platform without priorities, or a child already gone (its exit is handled below).
    }
  }

  /** Set by the owner to receive messages from children (e.g. "settled" hints). */
  onChildMessage?: (message: unknown, child: ChildProcess) => void;
}
