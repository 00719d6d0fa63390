import type { BackoffPolicy } from '../core/backoff.js';
import { CallError } from '../core/errors.js';
import { newAskToken } from '../core/ids.js';
import { failpoint } from '../core/failpoints.js';
import type { ClaimedCall, Settlement } from '../store/store.js';
import { compensate } from './compensate.js';
import { AskSuspend } from './ask-step.js';
import { JournalIndex } from './journal-index.js';
import { journalWritten, takePending, type StepContext, type WorkerParts } from './step-context.js';
import { BusinessFailure, LeaseLostError, toToolError } from './run-errors.js';
import { settlementForError } from './settle-policy.js';
import { runRecipe } from './step-runner.js';

export interface RunCallDeps extends WorkerParts {
  backoff: BackoffPolicy;
}

/** Why a running call was interrupted from outside its steps. */
export class DrainInterrupt extends Error {
  constructor() {
    super('worker draining');
    this.name = 'DrainInterrupt';
  }
}

/**
 * Runs one claimed attempt of a call to its settlement. Returns the settlement written, or null when
 * nothing was settled: the lease was lost (another worker or a cancel owns the call now), the worker
 * is draining (the caller releases the call), or the call reached an unanswered `ask` step and now waits
 * in input_required (it was suspended, fenced like a settlement; an answer queues it again).
 */
export async function runCall(
  deps: RunCallDeps,
  claimed: ClaimedCall,
  signal: AbortSignal,
): Promise<Settlement | null> {
  const { call, token } = claimed;
  const deadline = call.deadlineAt === null ? null : armDeadline(call.deadlineAt, signal);
  let settlement: Settlement;
  const ctx: StepContext = {
    ...deps,
    call,
    token,
    journal: new JournalIndex([]),
    pending: [],
    inFlight: { last: Promise.resolve() },
    compensations: [],
    signal: deadline?.signal ?? signal,
  };
  try {
    const recipe = await deps.recipes.recipe(call.releaseId, call.tool);
    if (!recipe)
      throw new CallError({
        code: 'INTERNAL',
        message: `tool ${call.tool} is not in release ${call.releaseId}`,
        retrySafe: false,
      });
    // A first attempt has no history to resume from: skip the read (the common case, on the hot path).
    if (call.attempt > 1) ctx.journal = new JournalIndex(await deps.store.listJournal(call.id));
    failpoint('after-claim-before-first-step', call.tool);
    const data = await runRecipe(ctx, recipe, call.args);
    if (recipe.outputSchema) {
      const problem = deps.validator.check(recipe.outputSchema, data);
      if (problem)
        throw new CallError({
          code: 'INTERNAL',
          message: `the recipe's output does not match its output_schema: ${problem}`,
          retrySafe: false,
        });
    }
    settlement = { status: 'succeeded', data };
  } catch (thrown) {
    // After the deadline fired, whatever a step threw is reported as the deadline, unless the step
    // already reported the deadline itself (with what it knows, e.g. that its effect may have applied).
    const error =
      deadline?.signal.aborted && !signal.aborted && !isDeadlineError(thrown)
        ? deadline.signal.reason
        : thrown;
    if (error instanceof LeaseLostError || signal.reason instanceof LeaseLostError) return null;
    if (signal.reason instanceof DrainInterrupt) return null;
    if (error instanceof AskSuspend) return suspend(ctx, error);
    settlement = settlementForError(call, toToolError(error), {
      final: error instanceof BusinessFailure,
      backoff: deps.backoff,
      now: Date.now(),
    });
    // Failed for good: undo what the finished steps did. Not after the deadline (the time is spent) and
    // not when the outcome is unknown (undoing could be as wrong as not undoing: someone must look).
    if (settlement.status === 'failed' && ctx.compensations.length > 0 && !isDeadlineError(error)) {
      try {
        settlement = { status: 'failed', error: await compensate({ ...ctx, signal }, settlement.error) };
      } catch (interrupted) {
        if (interrupted instanceof LeaseLostError || signal.aborted) return null;
        throw interrupted;
      }
    }
  } finally {
    deadline?.dispose();
  }
  failpoint('after-journal-before-settle', call.tool);
  await journalWritten(ctx);
  return (await deps.store.settle(call.id, token, settlement, ctx.pending)) ? settlement : null;
}

/** Parks the call for client input; a stale lease changes nothing (the store keeps a note). */
async function suspend(ctx: StepContext, ask: AskSuspend): Promise<null> {
  const { call, token } = ctx;
  await journalWritten(ctx);
  await ctx.store.suspend(
    call.id,
    token,
    {
      token: newAskToken(),
      step: {
        attempt: call.attempt,
        stepPath: ask.stepPath,
        kind: 'ask',
        target: null,
        effect: 'none',
        workerId: ctx.workerId,
        request: ask.requests,
      },
      requests: ask.requests,
      ttlMs: ask.ttlMs,
    },
    takePending(ctx),
  );
  return null;
}

function isDeadlineError(error: unknown): boolean {
  return error instanceof CallError && error.code === 'CALL_DEADLINE_EXCEEDED';
}

function armDeadline(deadlineAt: number, parent: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const expire = () =>
    controller.abort(
      new CallError({
        code: 'CALL_DEADLINE_EXCEEDED',
        message: 'the call ran past its deadline',
        retrySafe: true,
      }),
    );
  const onParent = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParent, { once: true });
  const remaining = deadlineAt - Date.now();
  const timer = remaining > 0 ? setTimeout(expire, remaining) : undefined;
  if (remaining <= 0) expire();
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}
