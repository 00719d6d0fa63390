import { CallError, type ToolError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import type { StepContext } from './step-context.js';
import { runActionStep } from './action-step.js';
import { runRecipe } from './step-runner.js';
import { LeaseLostError, toToolError } from './run-errors.js';

/**
 * Saga-style undo: when a call fails for good, the compensations of its finished steps run in reverse
 * order, each journaled as a `compensate` step at `compensate/<path of the step it undoes>`, so a
 * resumed attempt skips the ones already done. Returns the error the call settles with: the original
 * one, noting what was compensated; or COMPENSATION_FAILED (not retry-safe) naming the undo that
 * failed, since the systems are then left half-changed and someone has to look.
 */
export async function compensate(ctx: StepContext, failure: ToolError): Promise<ToolError> {
  const done: string[] = [];
  for (const pending of [...ctx.compensations].reverse()) {
    const path = `compensate/${pending.path}`;
    const prior = ctx.journal.get(path);
    if (prior?.state === 'done') {
      done.push(pending.path);
      continue;
    }
    try {
      if (prior?.state === 'in_doubt' && prior.effect === 'unsafe')
        throw new CallError({
          code: 'OUTCOME_UNKNOWN',
          message: `a worker stopped inside it, and its effect cannot be deduplicated`,
          retrySafe: false,
        });
      const undo = pending.undo;
      if (undo.kind === 'action') await runActionStep(ctx, undo, path, pending.scope, 'compensate');
      else await runSubRecipe(ctx, undo.recipe, undo.with, path, pending.scope);
      done.push(pending.path);
    } catch (error) {
      if (error instanceof LeaseLostError || ctx.signal.aborted) throw error;
      const cause = toToolError(error);
      return {
        code: 'COMPENSATION_FAILED',
        message: `${failure.code}: ${failure.message}; then undoing step ${pending.path} failed (${cause.code}: ${cause.message})`,
        retrySafe: false,
        details: {
          failure: { code: failure.code, message: failure.message },
          compensated: done,
          failed_compensation: pending.path,
        },
      };
    }
  }
  if (done.length === 0) return failure;
  return {
    ...failure,
    message: `${failure.message} (undone: ${done.join(', ')})`,
    details: { ...(isObject(failure.details) ? failure.details : {}), compensated: done },
  };
}

async function runSubRecipe(
  ctx: StepContext,
  tool: string,
  input: unknown,
  path: string,
  scope: Parameters<StepContext['evaluator']['value']>[1],
): Promise<void> {
  const recipe = await ctx.recipes.recipe(ctx.call.releaseId, tool);
  if (!recipe)
    throw new CallError({
      code: 'INTERNAL',
      message: `recipe ${tool} is not in the release`,
      retrySafe: false,
    });
  const args = (await ctx.evaluator.value(input as never, scope)) ?? {};
  const problem = ctx.validator.check(recipe.input, args);
  if (problem)
    throw new CallError({
      code: 'INTERNAL',
      message: `input for recipe ${tool} ${problem}`,
      retrySafe: false,
    });
  const start = {
    attempt: ctx.call.attempt,
    stepPath: path,
    kind: 'compensate' as const,
    target: tool,
    effect: 'none' as const,
    workerId: ctx.workerId,
    request: null,
  };
  try {
    const output = await runRecipe(ctx, recipe, args as JsonObject, `${path}/`);
    ctx.pending.push({
      kind: 'record',
      start,
      finish: { status: 'succeeded', output, error: null, response: null },
    });
  } catch (error) {
    const failure = toToolError(error);
    ctx.pending.push({
      kind: 'record',
      start,
      finish: { status: 'failed', output: null, error: failure, response: null },
    });
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
