import type { ClaimedCall, JournalWrite, Settlement } from '../store/store.js';

/**
 * The IPC messages between `serve`'s supervisor (the gateway's process) and its worker processes.
 * They are hints that make the common path fast; the store stays the source of truth, so a lost
 * message costs latency (a lease expiry, a poll), never a call.
 */

/** Supervisor → worker: calls claimed for this worker at enqueue; `seq` counts every call sent so far. */
export interface RunMessage {
  type: 'run';
  seq: number;
  calls: ClaimedCall[];
}

/** Supervisor → worker: a call was queued unclaimed; look for work now. */
export interface WakeMessage {
  type: 'wake';
}

/**
 * Worker → supervisor, whenever its load changed or it settled calls: its id, its room for more calls
 * after every `run` up to `seen`, and the settlements it committed since its last report.
 */
export interface ReportMessage {
  type: 'report';
  workerId: string;
  room: number;
  seen: number;
  settled: { callId: string; settlement: Settlement }[];
}

/**
 * Worker → supervisor: commit this settlement (fenced by `token`, with the attempt's write-behind journal)
 * in the supervisor's store. Under `serve` the supervisor's process makes the hot path's writes, so
 * SQLite has one writer there and its page cache stays warm; see docs/benchmarks.md.
 */
export interface SettleMessage {
  type: 'settle';
  /** Matches the reply to the request. */
  id: number;
  callId: string;
  token: number;
  settlement: Settlement;
  journal: JournalWrite[];
}

/** Supervisor → worker: the settlement was committed (`ok`), fenced off (`ok: false`), or failed (`error`). */
export interface SettleReplyMessage {
  type: 'settle-reply';
  id: number;
  ok: boolean;
  error?: string;
}

export type ToWorker = RunMessage | WakeMessage | SettleReplyMessage;
export type FromWorker = ReportMessage | SettleMessage;

export function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
