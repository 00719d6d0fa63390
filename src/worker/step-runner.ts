import { CallError } from '../core/errors.js';
import { assertNever } from '../core/call-status.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { Recipe, Step } from '../recipes/recipe.js';
import type { StepFinish, StepStart } from '../store/store.js';
import { runActionStep } from './action-step.js';
import { askFor, askValue } from './ask-step.js';
import { BusinessFailure } from './run-errors.js';
import { scopeFor, type StepContext } from './step-context.js';

/**
 * Runs a recipe's steps in order and returns its `data`. Steps the journal shows as done are not run
 * again: their outputs are reused. A step a dead worker left in doubt runs again only when its effect
 * is safe to repeat (`none` or `keyed`); otherwise the call ends OUTCOME_UNKNOWN.
 *
 * Sub-recipes (`call:` steps) run inline with their step paths prefixed by the calling step's path.
 */
export async function runRecipe(
  ctx: StepContext,
  recipe: Recipe,
  input: JsonObject,
  prefix = '',
): Promise<JsonValue> {
  const steps: Record<string, JsonValue> = {};
  for (const step of recipe.steps) {
    const path = prefix + (step.id ?? String(step.index));
    const prior = ctx.journal.get(path);
    if (prior?.state === 'done') {
      if (step.kind === 'return') return prior.output;
      // An answered ask journals every response by key; its value is shaped from them.
      if (step.id) steps[step.id] = step.kind === 'ask' ? askValue(step, prior.output) : prior.output;
      if (!prior.skipped) registerCompensation(ctx, step, path, input, steps);
      continue;
    }
    if (prior?.state === 'in_doubt' && prior.effect === 'unsafe') {
      throw new CallError({
        code: 'OUTCOME_UNKNOWN',
        message: `a worker stopped inside step ${path}, whose effect cannot be deduplicated; it is not repeated`,
        retrySafe: false,
      });
    }
    // Nothing new starts once the call is interrupted (deadline passed, lease lost, draining): a call
    // claimed after its deadline, or one whose deadline fired inside a step that ignores its signal,
    // must not go on to run further steps.
    ctx.signal.throwIfAborted();
    const scope = scopeFor(ctx, input, steps);
    if (step.when !== null && !(await ctx.evaluator.test(step.when, scope))) {
      record(ctx, step, path, { status: 'skipped', output: null, error: null, response: null });
      if (step.id) steps[step.id] = null;
      continue;
    }
    const outcome = await runStep(ctx, step, path, scope);
    if (outcome.returned) return outcome.value;
    if (step.id) steps[step.id] = outcome.value;
    registerCompensation(ctx, step, path, input, steps);
  }
  if (recipe.output === null) return null;
  return ctx.evaluator.value(recipe.output, scopeFor(ctx, input, steps));
}

async function runStep(
  ctx: StepContext,
  step: Step,
  path: string,
  scope: ReturnType<typeof scopeFor>,
): Promise<{ returned: boolean; value: JsonValue }> {
  switch (step.kind) {
    case 'action':
      return { returned: false, value: await runActionStep(ctx, step, path, scope) };
    case 'call': {
      const sub = await ctx.recipes.recipe(ctx.call.releaseId, step.recipe);
      if (!sub)
        throw new CallError({
          code: 'INTERNAL',
          message: `step ${path}: recipe ${step.recipe} is not in the release`,
          retrySafe: false,
        });
      const input = (await ctx.evaluator.value(step.with, scope)) ?? {};
      const problem = ctx.validator.check(sub.input, input);
      if (problem)
        throw new CallError({
          code: 'INTERNAL',
          message: `step ${path}: input for recipe ${step.recipe} ${problem}`,
          retrySafe: false,
        });
      const value = await runRecipe(ctx, sub, input as JsonObject, `${path}/`);
      record(ctx, step, path, { status: 'succeeded', output: value, error: null, response: null });
      return { returned: false, value };
    }
    case 'return': {
      const value = await ctx.evaluator.value(step.value, scope);
      record(ctx, step, path, { status: 'succeeded', output: value, error: null, response: null });
      return { returned: true, value };
    }
    case 'fail': {
      const message = await ctx.evaluator.value(step.fail.message, scope);
      const error = {
        code: step.fail.code,
        status: step.fail.status,
        message: String(message ?? ''),
        retrySafe: step.fail.retrySafe,
      };
      record(ctx, step, path, { status: 'failed', output: null, error, response: null });
      throw new BusinessFailure(error);
    }
    case 'ask':
      // Not answered yet (an answered ask is `done` in the journal): the call suspends here.
      return askFor(ctx, step, path, scope);
    default:
      return assertNever(step);
  }
}

/** A step that succeeded and has an undo: remembered, with its scope, in case the call fails for good. */
function registerCompensation(
  ctx: StepContext,
  step: Step,
  path: string,
  input: JsonObject,
  steps: Record<string, JsonValue>,
): void {
  if ((step.kind === 'action' || step.kind === 'call') && step.compensate)
    ctx.compensations.push({ path, undo: step.compensate, scope: scopeFor(ctx, input, steps) });
}

/** Journals a step that has no external effect (skip, return, fail, sub-recipe end), write-behind. */
function record(ctx: StepContext, step: Step, path: string, finish: StepFinish): void {
  const start: StepStart = {
    attempt: ctx.call.attempt,
    stepPath: path,
    kind: step.kind,
    target:
      step.kind === 'call' ? step.recipe : step.kind === 'action' ? `${step.connector}.${step.action}` : null,
    effect: 'none',
    workerId: ctx.workerId,
    request: null,
  };
  ctx.pending.push({ kind: 'record', start, finish });
}
