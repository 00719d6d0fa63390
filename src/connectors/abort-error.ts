import { CallError } from '../core/errors.js';

/**
 * What an action throws once its signal is aborted. The worker aborts with a `CallError` (STEP_TIMEOUT,
 * CANCELLED) that must reach it unchanged; any other reason becomes CANCELLED with the reason as cause.
 */
export function abortError(signal: AbortSignal): CallError {
  const reason: unknown = signal.reason;
  if (reason instanceof CallError) return reason;
  return new CallError(
    { code: 'CANCELLED', message: 'the step was aborted', retrySafe: false },
    { cause: reason },
  );
}
