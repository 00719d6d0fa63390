import type { SubmitOutcome } from './tool-service.js';

export { isStoreUnavailable } from '../store/store-errors.js';

/** How far a tools/call got before the store failed under it. */
export interface SubmitStage {
  /**
   * `no`: nothing was written yet (reading the active release, the recipe, an ask); `unknown`: the enqueue
   * itself failed, so the call may or may not have been recorded; `yes`: the enqueue returned (committed),
   * then the wait or a read failed.
   */
  recorded: 'no' | 'unknown' | 'yes';
  /** The call's id once recorded. */
  callId: string | null;
  /** Whether the call has an idempotency key (or a resumable `requestState`): a retry finds the same call. */
  keyed: boolean;
}

/** A suggested pause before the retry: the store is down, and an immediate retry would likely fail too. */
const RETRY_AFTER_MS = 1_000;

/**
 * The tool result for a tools/call the store failed under (DESIGN.md: everything about a known tool's
 * execution is a tool result; never a -32603): INTERNAL, with the call id when the call was recorded.
 * Retry-safe whenever a retry cannot start a second call: nothing was recorded, or the call has a key.
 */
export function storeOutage(stage: SubmitStage): Extract<SubmitOutcome, { kind: 'store_unavailable' }> {
  const { recorded, callId, keyed } = stage;
  let message: string;
  let retrySafe = keyed;
  if (recorded === 'yes' && callId !== null) {
    message = keyed
      ? `the store became unavailable while answering; the call was recorded; retry with the same idempotency key to get its result (or read call ${callId} by its id)`
      : `the store became unavailable while answering; the call was recorded; read call ${callId} by its id for its result (it has no idempotency key: calling again would start another call)`;
  } else if (recorded === 'unknown') {
    message = keyed
      ? 'the store was unavailable while recording the call, which may or may not have been recorded; retry with the same idempotency key: it finds the call if it was'
      : 'the store was unavailable while recording the call, which may or may not have been recorded; without an idempotency key a retry may start a second call';
  } else {
    message = 'the store was unavailable; nothing was recorded; retry';
    retrySafe = true;
  }
  return {
    kind: 'store_unavailable',
    callId: recorded === 'yes' ? callId : null,
    error: { code: 'INTERNAL', message, retrySafe, retryAfterMs: RETRY_AFTER_MS, status: 503 },
  };
}
