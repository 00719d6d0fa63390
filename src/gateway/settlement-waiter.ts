import { CALL_STATUSES, isTerminal, type CallStatus } from '../core/call-status.js';
import type { CallRecord, Store } from '../store/store.js';

/** What a waiter needs of a settled call. */
export type SettledCall = Pick<CallRecord, 'status' | 'result' | 'error'>;

type Resolve = (call: SettledCall | null) => void;

/** The shortest time between two looks at the store for the waited-on calls (see `check`). */
const MIN_CHECK_INTERVAL_MS = 5;

/** A call the client must hear about: settled, or waiting for the client's input. */
function needsClient(status: CallStatus): boolean {
  return isTerminal(status) || status === 'input_required';
}

/** The statuses a look at the store asks for: calls still running are not read at all. */
const NEEDS_CLIENT: readonly CallStatus[] = CALL_STATUSES.filter(needsClient);

/**
 * Waits for calls to settle or to ask the client for input. One subscription to the store's change
 * signal serves every waiting request: on each signal, one query fetches those of the waited-on calls
 * that settled (or need input) and wakes their waiters. A worker that reports a settlement directly
 * (`settled`, after its commit) saves that query.
 */
export class SettlementWaiter {
  private readonly waiting = new Map<string, Set<Resolve>>();
  private unsubscribe: (() => void) | null = null;
  /** Stops listening a while after the last wait ended (steady traffic keeps one subscription). */
  private idleTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private checkAgain = false;
  private lastCheck = -Infinity;
  /** Cancels the next look, when one is scheduled. */
  private scheduled: (() => void) | undefined;

  constructor(private readonly store: Store) {}

  /**
   * The call once settled or waiting for input (`status` says which), or null when `timeoutMs` passed
   * (or `signal` aborted) first.
   */
  wait(callId: string, timeoutMs: number, signal?: AbortSignal): Promise<SettledCall | null> {
    return new Promise((resolve) => {
      // An already-aborted signal never fires 'abort': the client is gone, so there is nothing to wait for.
      if (signal?.aborted) return resolve(null);
      const done: Resolve = (call) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.remove(callId, done);
        resolve(call);
      };
      const onAbort = () => done(null);
      const timer = setTimeout(() => done(null), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      let set = this.waiting.get(callId);
      if (!set) this.waiting.set(callId, (set = new Set()));
      set.add(done);
      clearTimeout(this.idleTimer);
      // A listening subscription sees every commit after the caller's read of the call. A new one starts
      // from the store's current state, so one look (at the end of this turn) covers a settlement in between.
      if (!this.unsubscribe) {
        this.unsubscribe = this.store.onChange(() => this.check());
        this.check();
      }
    });
  }

  /** A settlement a worker committed and reported (over IPC, or in this process): wakes its waiters now. */
  settled(callId: string, call: SettledCall): void {
    if (!isTerminal(call.status)) return;
    for (const resolve of [...(this.waiting.get(callId) ?? [])]) resolve(call);
  }

  close(): void {
    for (const set of this.waiting.values()) for (const resolve of set) resolve(null);
    this.waiting.clear();
    clearTimeout(this.idleTimer);
    this.scheduled?.();
    this.scheduled = undefined;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private remove(callId: string, resolve: Resolve): void {
    const set = this.waiting.get(callId);
    set?.delete(resolve);
    if (set?.size === 0) this.waiting.delete(callId);
    if (this.waiting.size === 0 && this.unsubscribe) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => {
        this.unsubscribe?.();
        this.unsubscribe = null;
      }, 1000);
      this.idleTimer.unref();
    }
  }

  /**
   * Looks at every waited-on call: at the end of this event-loop turn, unless a look began less than
   * MIN_CHECK_INTERVAL_MS ago (then once when that interval ends). Under load the store changes with
   * every group commit, and most settlements arrive through `settled` anyway: the commit that raises the
   * signal is followed, in the same turn, by the direct report of what it settled. Looking at the end of
   * the turn leaves the look only the calls nobody reported (a worker of another process), instead of
   * reading back every row just settled; one query per interval then serves them all.
   */
  private check(): void {
    if (this.checking || this.scheduled) {
      this.checkAgain = true;
      return;
    }
    const wait = this.lastCheck + MIN_CHECK_INTERVAL_MS - performance.now();
    if (wait > 0) {
      const timer = setTimeout(() => this.look(), wait);
      this.scheduled = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(() => this.look());
      this.scheduled = () => clearImmediate(immediate);
    }
  }

  private look(): void {
    this.scheduled = undefined;
    this.checking = true;
    this.checkAgain = false;
    this.lastCheck = performance.now();
    void this.checkOnce().finally(() => {
      this.checking = false;
      if (this.checkAgain) this.check();
    });
  }

  private async checkOnce(): Promise<void> {
    const ids = [...this.waiting.keys()];
    if (ids.length === 0) return;
    let calls: CallRecord[];
    try {
      calls = await this.store.getCalls(ids, NEEDS_CLIENT);
    } catch {
      return; // the store hiccupped; the next change signal or the wait's timeout ends the wait
    }
    for (const call of calls) {
      if (!needsClient(call.status)) continue;
      for (const resolve of [...(this.waiting.get(call.id) ?? [])]) resolve(call);
    }
  }
}
