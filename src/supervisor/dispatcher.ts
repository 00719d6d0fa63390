import type { ChildProcess } from 'node:child_process';
import type { HandOff, HandOffSlot } from '../gateway/hand-off.js';
import type { ClaimedCall, Settlement, Store } from '../store/store.js';
import {
  isMessage,
  type DispatchMessage,
  type ReportMessage,
  type SettleReply,
  type SettleRequest,
} from './messages.js';

interface Link {
  child: ChildProcess;
  workerId: string;
  /** Room as of the worker's last report, which had seen every call up to `seen`. */
  room: number;
  seen: number;
  /** Calls sent so far (the `seq` of the newest). */
  sent: number;
  /** Slots handed out and not yet given or cancelled. */
  reserved: number;
  /** What goes out in the next dispatch message. */
  outbox: ClaimedCall[];
  replies: SettleReply[];
  flushing: boolean;
}

/**
 * The supervisor's side of the hand-off (gateway/hand-off.ts): knows each worker process from its
 * reports, estimates its room (its reported room, less the calls sent since the report it made, less
 * open reservations), and sends claimed calls to it over IPC, batched per microtask. The workers'
 * settlements are committed here (`settle`, this process's store: one writer on the hot path) and go
 * to `onSettled` (the gateway's waiters).
 */
export class Dispatcher implements HandOff {
  private readonly links = new Map<ChildProcess, Link>();

  constructor(
    private readonly options: {
      leaseMs: number;
      onSettled: (callId: string, settlement: Settlement) => void;
      /** Commits a worker's settlement (the supervisor's `Store.settle`). */
      settle: Store['settle'];
    },
  ) {}

  /** Feeds a message from a worker process. */
  receive(message: unknown, child: ChildProcess): void {
    if (!isMessage<ReportMessage>(message, 'report')) return;
    let link = this.links.get(child);
    if (!link || link.workerId !== message.workerId) {
      link = {
        child,
        workerId: message.workerId,
        room: 0,
        seen: 0,
        sent: 0,
        reserved: 0,
        outbox: [],
        replies: [],
        flushing: false,
      };
      this.links.set(child, link);
    }
    link.room = message.room;
    link.seen = message.seen;
    for (const request of message.settle) void this.settle(request, link);
  }

  /** The worker process exited: nothing more goes to it (its leased calls are reclaimed by expiry). */
  forget(child: ChildProcess): void {
    this.links.delete(child);
  }

  reserve(): HandOffSlot | null {
    let best: Link | null = null;
    let bestRoom = 0;
    for (const link of this.links.values()) {
      const room = link.room - (link.sent - link.seen) - link.reserved;
      if (room > bestRoom && link.child.connected) [best, bestRoom] = [link, room];
    }
    if (!best) return null;
    const link = best;
    link.reserved++;
    let open = true;
    const close = () => {
      if (open) link.reserved--;
      open = false;
    };
    return {
      workerId: link.workerId,
      leaseMs: this.options.leaseMs,
      give: (claimed) => {
        close();
        this.send(link, claimed);
      },
      cancel: close,
    };
  }

  /** Commits a worker's settlement, answers the waiters at once, then tells the worker. */
  private async settle(request: SettleRequest, link: Link): Promise<void> {
    const { id, callId, token, settlement, journal } = request;
    let reply: SettleReply;
    try {
      reply = { id, ok: await this.options.settle(callId, token, settlement, journal) };
    } catch (error) {
      reply = { id, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (reply.ok) this.options.onSettled(callId, settlement);
    link.replies.push(reply);
    this.flushSoon(link);
  }

  private send(link: Link, claimed: ClaimedCall): void {
    link.sent++;
    link.outbox.push(claimed);
    this.flushSoon(link);
  }

  /** One dispatch message per link and microtask checkpoint, however many calls and replies it carries. */
  private flushSoon(link: Link): void {
    if (link.flushing) return;
    link.flushing = true;
    queueMicrotask(() => {
      link.flushing = false;
      const message: DispatchMessage = {
        type: 'dispatch',
        seq: link.sent,
        calls: link.outbox.splice(0),
        replies: link.replies.splice(0),
      };
      // A send to a worker that just died fails quietly: its calls' leases expire and they are
      // reclaimed; a settlement it asked for was committed or not, as the store says.
      if (link.child.connected) link.child.send(message, () => undefined);
    });
  }
}
