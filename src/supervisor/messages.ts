import type { ClaimedCall, JournalWrite, Settlement } from '../store/store.js';

/**
 * The IPC messages between `serve`'s supervisor (the gateway's process) and its worker processes.
 * Each side gathers what it has to say during a microtask checkpoint into one message: a write to the
 * channel wakes the other process, and under load one wake-up then carries many calls and settlements.
 * Apart from settlements (answered by `replies`), they are hints that make the common path fast; the
 * store stays the source of truth, so a lost hint costs latency (a lease expiry, a poll), never a call.
 */

/**
 * Supervisor → worker: calls claimed for this worker at enqueue (`seq` counts every call sent so far),
 * and the answers to the worker's settlement requests.
 */
export interface DispatchMessage {
  type: 'dispatch';
  seq: number;
  calls: ClaimedCall[];
  replies: SettleReply[];
}

/** Supervisor → worker: a call was queued unclaimed; look for work now. */
export interface WakeMessage {
  type: 'wake';
}

/**
 * Worker → supervisor, whenever its load changed or it has settlements: its id, its room for more calls
 * after every dispatch up to `seen`, and its settlements for the supervisor to commit.
 */
export interface ReportMessage {
  type: 'report';
  workerId: string;
  room: number;
  seen: number;
  settle: SettleRequest[];
}

/**
 * Commit this settlement (fenced by `token`, with the attempt's write-behind journal) in the supervisor's
 * store. Under `serve` the supervisor's process makes the hot path's writes, so SQLite has one writer
 * there and its page cache stays warm (docs/architecture.md, "Writing to SQLite").
 */
export interface SettleRequest {
  /** Matches the reply to the request. */
  id: number;
  callId: string;
  token: number;
  settlement: Settlement;
  journal: JournalWrite[];
}

/** The settlement was committed (`ok`), fenced off (`ok: false`), or could not be written (`error`). */
export interface SettleReply {
  id: number;
  ok: boolean;
  error?: string;
}

export type ToWorker = DispatchMessage | WakeMessage;
export type FromWorker = ReportMessage;

export function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
