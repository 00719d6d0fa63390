import type { Store } from '../store/store.js';
import type { Worker } from '../worker/worker.js';
import {
  isMessage,
  type DispatchMessage,
  type FromWorker,
  type SettleReply,
  type SettleRequest,
  type WakeMessage,
} from './messages.js';

interface PendingSettle {
  args: Parameters<Store['settle']>;
  resolve: (ok: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * A worker process's side of the IPC channel to its supervisor: runs the calls dispatched to it, wakes
 * on hints, has its settlements committed by the supervisor (`settle`), and reports its room and those
 * settlements in one message per microtask checkpoint.
 */
export class WorkerLink {
  private worker: Worker | null = null;
  private seen = 0;
  private settleRequests: SettleRequest[] = [];
  private queued = false;
  private nextSettle = 0;
  private readonly pendingSettles = new Map<number, PendingSettle>();
  private closed = false;

  /**
   * @param send the IPC channel to the supervisor
   * @param settleLocally the worker's own store, for settlements once the channel closed (a worker whose
   *   supervisor died drains: its finished calls still settle, with the same fence)
   */
  constructor(
    private readonly send: (message: FromWorker) => void,
    private readonly settleLocally: () => Store['settle'],
  ) {}

  attach(worker: Worker): void {
    this.worker = worker;
    this.report();
  }

  receive(message: unknown): void {
    if (isMessage<DispatchMessage>(message, 'dispatch')) {
      for (const reply of message.replies) this.settleReplied(reply);
      const worker = this.worker;
      if (!worker) return;
      this.seen = Math.max(this.seen, message.seq);
      // No report for these: the supervisor counts what it sent (`seq`) until a later report has seen it.
      for (const claimed of message.calls) worker.adopt(claimed);
    } else if (isMessage<WakeMessage>(message, 'wake')) {
      this.worker?.pump();
    }
  }

  /**
   * The worker's `Store.settle`, committed by the supervisor's store (same fence, same transaction).
   * Rejects if the supervisor could not commit it: the lease then expires and the call is reclaimed,
   * as when a worker dies before its settlement.
   */
  settle(...args: Parameters<Store['settle']>): Promise<boolean> {
    if (this.closed) return this.settleLocally()(...args);
    const [callId, token, settlement, journal = []] = args;
    return new Promise((resolve, reject) => {
      const id = ++this.nextSettle;
      this.pendingSettles.set(id, { args, resolve, reject });
      this.settleRequests.push({ id, callId, token, settlement, journal });
      this.report();
    });
  }

  /**
   * The channel closed: settlements from now on, and those the supervisor had not answered, go to the
   * worker's own store (one the supervisor committed before it went is fenced off there: `false`).
   */
  close(): void {
    this.closed = true;
    const pending = [...this.pendingSettles.values()];
    this.pendingSettles.clear();
    this.settleRequests = [];
    for (const p of pending) this.settleLocally()(...p.args).then(p.resolve, p.reject);
  }

  /** Sends a report at the end of this microtask checkpoint (many changes, one message). */
  report(): void {
    if (this.queued || !this.worker || this.closed) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      const worker = this.worker;
      if (!worker || this.closed) return;
      this.send({
        type: 'report',
        workerId: worker.id,
        room: worker.room,
        seen: this.seen,
        settle: this.settleRequests.splice(0),
      });
    });
  }

  private settleReplied(reply: SettleReply): void {
    const pending = this.pendingSettles.get(reply.id);
    if (!pending) return;
    this.pendingSettles.delete(reply.id);
    if (reply.error !== undefined) return pending.reject(new Error(reply.error));
    pending.resolve(reply.ok);
  }
}
