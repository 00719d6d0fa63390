import { backoffDelay } from '../core/backoff.js';
import { sleep } from '../core/clock.js';
import { CallError } from '../core/errors.js';
import { failpoint } from '../core/failpoints.js';
import { stepKey } from '../core/ids.js';
import { isPlainObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { Compensation, Step } from '../recipes/recipe.js';
import type { JournalWrite, StepEffect, StepFinish, StepStart } from '../store/store.js';
import { LeaseLostError, BusinessFailure, toToolError } from './run-errors.js';
import type { Scope } from './ports.js';
import { appendPending, journalWritten, takePending, type StepContext } from './step-context.js';
import { auditSummary } from './audit-summary.js';

type ActionStep = Extract<Step, { kind: 'action' }>;

/**
 * Runs one action step: evaluates `with`, checks it against the action's input schema, journals the
 * start (the in-flight marker that crash recovery reads), runs the connector with the step key, timeout
 * and retry policy, maps errors through `on_error`, and journals the end.
 */
export async function runActionStep(
  ctx: StepContext,
  step: ActionStep | Extract<Compensation, { kind: 'action' }>,
  stepPath: string,
  scope: Scope,
  kind: 'action' | 'compensate' = 'action',
): Promise<JsonValue> {
  const action = ctx.connectors.action(step.connector, step.action);
  if (!action) throw internal(`step ${stepPath}: unknown action ${step.connector}.${step.action}`);
  const evaluated = await ctx.evaluator.value(step.with, scope);
  const input: JsonObject = evaluated === null ? {} : (evaluated as JsonObject);
  if (!isPlainObject(input)) throw internal(`step ${stepPath}: "with" must evaluate to an object`);
  const problem = ctx.validator.check(action.input, input);
  if (problem) throw internal(`step ${stepPath}: input for ${step.connector}.${step.action} ${problem}`);
  const connection = step.connection ? await ctx.connection(step.connection) : null;
  if (step.connection && !connection)
    throw internal(`step ${stepPath}: unknown connection ${step.connection}`);

  const effect = action.effect(input);
  const target = `${step.connector}.${step.action}`;
  const start = {
    attempt: ctx.call.attempt,
    stepPath,
    kind,
    target,
    effect,
    workerId: ctx.workerId,
    request: auditSummary(input),
  };
  const finish = effect === 'unsafe' ? await startUnsafe(ctx, start) : startSafe(ctx, start);
  const tries = step.retry?.attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await withTimeout(step.timeoutMs, ctx.signal, effect !== 'unsafe', (signal) =>
        action.run(input, {
          callId: ctx.call.id,
          stepKey: stepKey(ctx.call.id, stepPath),
          connection,
          signal,
        }),
      );
      failpoint('after-action-before-journal', ctx.call.tool);
      await finish({
        status: 'succeeded',
        output: result.output,
        error: null,
        response: auditSummary(result.response ?? result.output),
      });
      return result.output;
    } catch (error) {
      if (ctx.signal.aborted) throw interrupted(ctx.signal.reason, error, effect, stepPath);
      const toolError = toToolError(error);
      if (toolError.retrySafe && attempt < tries && step.retry) {
        await sleep(
          Math.max(backoffDelay(step.retry.backoff, attempt), toolError.retryAfterMs ?? 0),
          ctx.signal,
        );
        continue;
      }
      const rule =
        step.onError.find((r) => r.code === toolError.code) ?? step.onError.find((r) => r.code === '*');
      if (rule?.value !== undefined) {
        const value = await ctx.evaluator.value(rule.value, scope);
        await finish({ status: 'succeeded', output: value, error: toolError, response: null });
        return value;
      }
      await finish({ status: 'failed', output: null, error: toolError, response: null });
      if (rule?.fail) {
        const message = await ctx.evaluator.value(rule.fail.message, scope);
        throw new BusinessFailure({
          code: rule.fail.code,
          status: rule.fail.status,
          message: String(message ?? ''),
          retrySafe: rule.fail.retrySafe,
        });
      }
      throw error instanceof CallError ? error : new CallError(toolError, { cause: error });
    }
  }
}

type Finish = (result: StepFinish) => Promise<void>;

/**
 * An unsafe step's start is committed before its effect runs (the in-doubt marker crash recovery reads),
 * and its end is written at once: left unwritten, a crash would make it look in doubt.
 */
async function startUnsafe(ctx: StepContext, start: StepStart): Promise<Finish> {
  await journalWritten(ctx);
  const entryId = await ctx.store.startStep(ctx.call.id, ctx.token, start, takePending(ctx));
  if (entryId === null) throw new LeaseLostError(ctx.call.id);
  return async (result) => {
    if (!(await ctx.store.finishStep(ctx.call.id, ctx.token, entryId, result)))
      throw new LeaseLostError(ctx.call.id);
  };
}

/**
 * An effect-safe step runs again harmlessly if its worker dies, so nothing waits for its start: the start
 * joins the write-behind entries. A step that ends within its turn (util.echo, a cached read) is then
 * journaled whole with the attempt's next write; one still running when the turn ends has its start
 * written then, so `calls show` sees it running. A stale lease shows at the next write or the settlement.
 */
function startSafe(ctx: StepContext, start: StepStart): Finish {
  const entry: JournalWrite = { kind: 'start', start };
  ctx.pending.push(entry);
  setImmediate(() => {
    if (ctx.pending.includes(entry)) appendPending(ctx);
  });
  return async (finish) => {
    const i = ctx.pending.indexOf(entry);
    if (i >= 0) ctx.pending[i] = { kind: 'record', start, finish };
    else ctx.pending.push({ kind: 'finish', attempt: start.attempt, stepPath: start.stepPath, finish });
  };
}

/** Runs `fn` with an abort signal that fires on the step timeout or when the call is aborted. */
async function withTimeout<T>(
  timeoutMs: number | null,
  parent: AbortSignal,
  retrySafe: boolean,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (timeoutMs === null) return fn(parent);
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CallError({
        code: 'STEP_TIMEOUT',
        message: `step timed out after ${timeoutMs} ms`,
        retrySafe,
      });
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onAbort);
  }
}

/**
 * The error of a step interrupted from outside (deadline, lease lost, drain). A deadline that cuts an
 * unsafe step short leaves its request possibly applied: like a step timeout, that is not retry-safe.
 */
function interrupted(reason: unknown, thrown: unknown, effect: StepEffect, stepPath: string): unknown {
  if (!(reason instanceof Error)) return thrown;
  if (!(reason instanceof CallError) || effect !== 'unsafe' || !reason.retrySafe) return reason;
  return new CallError(
    {
      ...reason.toToolError(),
      message: `${reason.message}; step ${stepPath} was interrupted and may have been applied`,
      retrySafe: false,
    },
    { cause: reason },
  );
}

function internal(message: string): CallError {
  return new CallError({ code: 'INTERNAL', message, retrySafe: false });
}
