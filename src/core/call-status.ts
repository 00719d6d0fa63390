/**
 * The states of a call.
 *
 * - `queued`: committed and waiting for a worker. Left when a worker claims it (→ running) or it is
 *   cancelled.
 * - `running`: a worker holds its lease and is executing steps. Left when the worker settles it, when the
 *   worker releases it on drain (→ queued), or when the lease expires and it is reclaimed (→ queued, its
 *   crash counter raised; → dead once the crash limit is passed).
 * - `retry_wait`: an attempt failed with a retry-safe error and attempts remain; waits out its backoff,
 *   then becomes claimable again (→ running).
 * - `input_required`: blocked on user input (an `ask` step); waits until answered or its ttl ends.
 * - `succeeded`: terminal; the recipe returned `data`.
 * - `failed`: terminal; a business error or an exhausted retry, with the error contract.
 * - `cancelled`: terminal; cancelled by an operator or a client.
 * - `dead`: terminal; crashed its workers too often (or exhausted its attempts); the reason is kept.
 * - `outcome_unknown`: terminal; a worker died inside a step that cannot be deduplicated, so repeating it
 *   could repeat an external effect. A person decides.
 */
export const CALL_STATUSES = [
  'queued',
  'running',
  'retry_wait',
  'input_required',
  'succeeded',
  'failed',
  'cancelled',
  'dead',
  'outcome_unknown',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export type TerminalStatus = Extract<
  CallStatus,
  'succeeded' | 'failed' | 'cancelled' | 'dead' | 'outcome_unknown'
>;

export function isTerminal(status: CallStatus): status is TerminalStatus {
  switch (status) {
    case 'queued':
    case 'running':
    case 'retry_wait':
    case 'input_required':
      return false;
    case 'succeeded':
    case 'failed':
    case 'cancelled':
    case 'dead':
    case 'outcome_unknown':
      return true;
    default:
      return assertNever(status);
  }
}

/** The MCP Tasks status a call state maps to (DESIGN.md, "States of a call"). */
export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

export function taskStatusOf(status: CallStatus): TaskStatus {
  switch (status) {
    case 'queued':
    case 'running':
    case 'retry_wait':
      return 'working';
    case 'input_required':
      return 'input_required';
    case 'succeeded':
    case 'failed':
    case 'dead':
    case 'outcome_unknown':
      return 'completed';
    case 'cancelled':
      return 'cancelled';
    default:
      return assertNever(status);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
