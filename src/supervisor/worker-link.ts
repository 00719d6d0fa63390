import type { Settlement } from '../store/store.js';
import type { Worker } from '../worker/worker.js';
import { isMessage, type ReportMessage, type RunMessage, type WakeMessage } from './messages.js';

/**
 * A worker process's side of the IPC channel to its supervisor: runs the calls handed over, wakes on
 * hints, and reports its room and the settlements it committed (batched per microtask).
 */
export class WorkerLink {
  private worker: Worker | null = null;
  private seen = 0;
  private settledSince: ReportMessage['settled'] = [];
  private queued = false;

  constructor(private readonly send: (message: ReportMessage) => void) {}

  attach(worker: Worker): void {
    this.worker = worker;
    this.report();
  }

  receive(message: unknown): void {
    const worker = this.worker;
    if (!worker) return;
    if (isMessage<RunMessage>(message, 'run')) {
      this.seen = Math.max(this.seen, message.seq);
      // No report for these: the supervisor counts what it sent (`seq`) until a later report has seen it.
      for (const claimed of message.calls) worker.adopt(claimed);
    } else if (isMessage<WakeMessage>(message, 'wake')) {
      worker.pump();
    }
  }

  settled(callId: string, settlement: Settlement): void {
    this.settledSince.push({ callId, settlement });
    this.report();
  }

  /** Sends a report at the end of this microtask checkpoint (many changes, one message). */
  report(): void {
    if (this.queued || !this.worker) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      const worker = this.worker;
      if (!worker) return;
      const settled = this.settledSince.splice(0);
      this.send({ type: 'report', workerId: worker.id, room: worker.room, seen: this.seen, settled });
    });
  }
}
