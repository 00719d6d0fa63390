import { isTerminal } from '../core/call-status.js';
import type { CallRecord, Store } from '../store/store.js';

/** What a waiter needs of a settled call. */
export type SettledCall = Pick<CallRecord, 'status' | 'result' | 'error'>;

type Resolve = (call: SettledCall | null) => void;

/** A call the client must hear about: settled, or waiting for the client's input. */
function needsClient(status: CallRecord['status']): boolean {
  return isTerminal(status) || status === 'input_required';
}

/**
 * Waits for calls to settle or to ask the client for input. One subscription to the store's change signal serves every waiting
 * request: on each signal, one query fetches all waited-on calls and wakes the settled ones. A worker
 * that reports a settlement directly (`settled`, after its commit) saves that query.
 */
export class SettlementWaiter {
  private readonly waiting = new Map<string, Set<Resolve>>();
  private unsubscribe: (() => void) | null = null;
  /** Stops listening a while after the last wait ended (steady traffic keeps one subscription). */
  private idleTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private checkAgain = false;

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
      // from the store's current state, so one look now covers a settlement in between.
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

  private check(): void {
    if (this.checking) {
      this.checkAgain = true;
      return;
    }
    this.checking = true;
    void this.checkLoop().finally(() => (this.checking = false));
  }

  private async checkLoop(): Promise<void> {
    do {
      this.checkAgain = false;
      const ids = [...this.waiting.keys()];
      if (ids.length === 0) return;
      let calls: CallRecord[];
      try {
        calls = await this.store.getCalls(ids);
      } catch {
        return; // the store hiccupped; the next change signal or the wait's timeout ends the wait
      }
      for (const call of calls) {
        if (!needsClient(call.status)) continue;
        for (const resolve of [...(this.waiting.get(call.id) ?? [])]) resolve(call);
      }
    } while (this.checkAgain);
  }
}
