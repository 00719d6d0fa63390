import { assertNever, isTerminal } from '../core/call-status.js';
import { failpoint } from '../core/failpoints.js';
import { canonicalJson, isPlainObject, type JsonObject } from '../core/json.js';
import { newCallId, sha256 } from '../core/ids.js';
import type { ToolError } from '../core/errors.js';
import type { Recipe } from '../recipes/recipe.js';
import type { ReleaseCatalog } from '../recipes/release-catalog.js';
import type { AskRecord, IdempotencySource, Settlement, Store } from '../store/store.js';
import type { SchemaValidator } from '../core/json-schema.js';
import type { TemplateEvaluator } from '../recipes/template-evaluator.js';
import type { CallRecord } from '../store/store.js';
import { watchProgress } from './call-progress.js';
import type { HandOff } from './hand-off.js';
import { RenderError, renderResult } from './render-result.js';
import { SettlementWaiter, type SettledCall } from './settlement-waiter.js';
import { isStoreUnavailable, storeOutage, type SubmitStage } from './store-outage.js';
import { describeTool } from './tool-descriptor.js';
import { checkInputResponses, pending } from './input-responses.js';
import type {
  CallResult,
  SubmitOutcome,
  SubmitRequest,
  TaskService,
  TaskView,
  ToolDescriptor,
  ToolService,
} from './tool-service.js';

export interface CallServiceOptions {
  store: Store;
  catalog: ReleaseCatalog;
  validator: SchemaValidator;
  evaluator: TemplateEvaluator;
  workspace: string;
  servers: Record<string, string[] | '*'>;
  limits: { waitMs: number; deadlineMs: number; keyTtlMs: number; maxAttempts: number; retentionMs: number };
  /** Called after a call commits to the queue unclaimed (the supervisor wakes a worker process). */
  onEnqueued?: () => void;
  /** Passes new calls straight to a worker with room (see HandOff); without it, workers claim. */
  handOff?: HandOff;
}

/** The gateway side of the platform (tools and tasks), plus what the process that hosts it feeds in. */
export interface CallService extends ToolService, TaskService {
  /** A settlement a worker committed and reported: answers the requests waiting on that call now. */
  settled(callId: string, settlement: Settlement): void;
  close(): void;
}

/**
 * The platform side of the gateway: validates arguments, resolves the idempotency key, commits the
 * call, and waits (bounded) for it to settle. It never runs a recipe.
 */
export function createCallService(options: CallServiceOptions): CallService {
  const { store, catalog, workspace, servers, limits } = options;
  const waiter = new SettlementWaiter(store);
  const listings = new Map<string, ToolDescriptor[]>();
  /** `tools/call` requests between arrival and answer (the load a hand-off may weigh). */
  let submitting = 0;

  type ActiveTools = { releaseId: string; recipes: ReadonlyMap<string, Recipe> } | null;
  let activeThisTurn: Promise<ActiveTools> | null = null;

  /**
   * The active release's recipes. Read once per event-loop turn: a `tools/call` looks its tool up and
   * then submits it within one turn, and under load many requests share a turn; a deploy activated in
   * between is seen from the next turn on.
   */
  function activeTools(): Promise<ActiveTools> {
    if (activeThisTurn) return activeThisTurn;
    const read = (async () => {
      const releaseId = await store.getActiveReleaseId(workspace);
      if (!releaseId) return null;
      return { releaseId, recipes: await catalog.recipes(releaseId) };
    })();
    activeThisTurn = read;
    setImmediate(() => (activeThisTurn = null));
    // A failed read is not shared beyond the requests already holding it.
    read.catch(() => {
      if (activeThisTurn === read) activeThisTurn = null;
    });
    return read;
  }

  function listed(server: string, recipe: Recipe | undefined): recipe is Recipe {
    const allowed = servers[server];
    if (!recipe || !recipe.expose || allowed === undefined) return false;
    return allowed === '*' || allowed.includes(recipe.tool);
  }

  /** The call's result with the recipe's content blocks (the recipe of the release it was pinned to). */
  async function render(call: CallRecord, settled: SettledCall = call): Promise<CallResult> {
    const recipe = (await catalog.recipes(call.releaseId)).get(call.tool);
    return renderResult(options.evaluator, recipe, resultOf(settled), {
      callId: call.id,
      tool: call.tool,
      attempt: call.attempt,
      idempotencyKey: call.idempotencyKey,
      args: call.args,
    });
  }

  async function taskView(call: CallRecord): Promise<TaskView | null> {
    // A call waiting for input keeps run_after at its ask's expiry: the task stays readable past it.
    const waitsUntil = call.status === 'input_required' ? call.runAfter : 0;
    const ttlMs =
      call.deadlineAt === null
        ? null
        : Math.max(call.deadlineAt, waitsUntil) - call.createdAt + limits.retentionMs;
    if (ttlMs !== null && Date.now() > call.createdAt + ttlMs) return null;
    const view: TaskView = {
      callId: call.id,
      tool: call.tool,
      status: call.status,
      createdAt: call.createdAt,
      updatedAt: call.updatedAt,
      ttlMs,
      result: null,
      fault: null,
      inputRequests: null,
    };
    if (call.status === 'input_required') {
      const ask = await store.getOpenAsk(call.id);
      view.inputRequests = ask ? pending(ask) : {};
    }
    if (!isTerminal(call.status) || call.status === 'cancelled') return view;
    try {
      view.result = await render(call);
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      view.fault = error.message;
    }
    return view;
  }

  async function ownCall(callId: string): Promise<CallRecord | null> {
    const call = await store.getCall(callId);
    return call && call.workspace === workspace ? call : null;
  }

  /**
   * The answer for a committed call: its result once settled, its open ask while it waits for input,
   * else (bounded) waiting for either; still running after the wait is `in_progress`.
   */
  async function attach(call: CallRecord, recipe: Recipe, request: SubmitRequest): Promise<SubmitOutcome> {
    const asked = await askOutcome(call);
    if (asked) return asked;
    if (isTerminal(call.status)) return { kind: 'settled', callId: call.id, result: await render(call) };
    const progress = request.onProgress
      ? watchProgress(store, call.id, recipe.steps.length, request.onProgress)
      : null;
    const waitMs = request.waitMs ?? recipe.waitMs ?? limits.waitMs;
    const until = Date.now() + waitMs;
    try {
      // An ask found gone when read (answered by another request meanwhile) means waiting on.
      for (;;) {
        const remaining = until - Date.now();
        const settled = remaining > 0 ? await waiter.wait(call.id, remaining, request.signal) : null;
        if (!settled) return { kind: 'in_progress', callId: call.id, status: call.status };
        if (isTerminal(settled.status))
          return { kind: 'settled', callId: call.id, result: await render(call, settled) };
        const now = await ownCall(call.id);
        const again = now && (await askOutcome(now));
        if (again) return again;
        if (now && isTerminal(now.status))
          return { kind: 'settled', callId: call.id, result: await render(now) };
        if (!now || now.status === 'input_required')
          return { kind: 'in_progress', callId: call.id, status: now?.status ?? call.status };
      }
    } finally {
      await progress?.stop();
    }
  }

  /** The call's open ask as an outcome, when the call waits for input. */
  async function askOutcome(call: CallRecord): Promise<SubmitOutcome | null> {
    if (call.status !== 'input_required') return null;
    const ask = await store.getOpenAsk(call.id);
    return ask ? inputRequired(ask) : null;
  }

  /**
   * A retry carrying `inputResponses` and the `requestState` of an InputRequiredResult. The state is an
   * ask's token: it must name an ask of this workspace, for a call of this tool with these arguments
   * (any gateway finds it in the store; nothing else the client sent is trusted). Valid responses are
   * recorded; the call goes back to the queue once every request is answered, and is waited for as any
   * call. An ask no longer open (answered, expired) is a repeated retry: it attaches to the call.
   */
  async function resume(
    request: SubmitRequest,
    recipe: Recipe,
    argsHash: string,
    { requestState, inputResponses }: NonNullable<SubmitRequest['resume']>,
    stage: SubmitStage,
  ): Promise<SubmitOutcome> {
    const ask = await store.getAsk(requestState);
    const call = ask && ask.workspace === workspace ? await ownCall(ask.callId) : null;
    // The call exists; a retry with the same requestState and responses is answered as this one would be.
    if (call) Object.assign(stage, { recorded: 'yes', callId: call.id, keyed: true });
    if (!ask || !call || call.tool !== recipe.tool || call.argsHash !== argsHash)
      return {
        kind: 'invalid_input',
        message:
          'Invalid params: requestState does not match a pending request of this tool with these arguments (unknown, altered or from another request)',
        callId: null,
        data: { requestState },
      };
    if (ask.status === 'open' && call.status === 'input_required') {
      const { answers, problems } = checkInputResponses(ask, inputResponses, options.validator);
      if (Object.keys(problems).length > 0)
        return {
          kind: 'invalid_input',
          message: invalidMessage(problems),
          callId: call.id,
          data: { requestState, invalidInputResponses: problems },
        };
      const outcome = await store.answerAsk(ask.token, answers);
      if (outcome?.kind === 'partial') return inputRequired(outcome.ask);
      if (outcome?.kind === 'answered') options.onEnqueued?.();
    }
    const current = (await ownCall(call.id)) ?? call;
    return attach(current, recipe, { ...request, resume: undefined });
  }

  /** `submit` itself; `stage` records how far it got, for the answer when the store fails under it. */
  async function submitCall(request: SubmitRequest, stage: SubmitStage): Promise<SubmitOutcome> {
    const active = await activeTools();
    const recipe = active?.recipes.get(request.tool);
    const reachable = request.internal ? recipe !== undefined : listed(request.server, recipe);
    if (!active || !recipe || !reachable) return { kind: 'unknown_tool' };
    const args = request.args ?? {};
    if (!isPlainObject(args))
      return reject({
        code: 'INVALID_ARGUMENTS',
        message: 'arguments must be an object',
        retrySafe: false,
        status: 400,
      });
    const problem = options.validator.check(recipe.input, args);
    if (problem)
      return reject({
        code: 'INVALID_ARGUMENTS',
        message: `invalid arguments: ${problem}`,
        retrySafe: false,
        status: 400,
      });

    const argsHash = sha256(canonicalJson(args));
    if (request.resume) return resume(request, recipe, argsHash, request.resume, stage);
    const key = await resolveKey(
      options.evaluator,
      recipe,
      args as JsonObject,
      argsHash,
      request,
      limits.keyTtlMs,
    );
    if ('error' in key) return reject(key.error);
    stage.keyed = key.key !== null;
    const now = Date.now();
    const deadlineMs = recipe.deadlineMs ?? limits.deadlineMs;
    // A limited call waits for a claim, which counts its tool's running calls: no hand-off.
    const slot =
      recipe.concurrency === null
        ? (options.handOff?.reserve({ othersInFlight: submitting - 1 }) ?? null)
        : null;
    let outcome;
    stage.recorded = 'unknown';
    try {
      outcome = await store.enqueue({
        id: newCallId(now),
        workspace,
        tool: recipe.tool,
        releaseId: active.releaseId,
        args: args as JsonObject,
        argsHash,
        idempotencyKey: key.key,
        idempotencySource: key.source,
        keyTtlMs: key.ttlMs,
        maxAttempts: limits.maxAttempts,
        deadlineAt: now + deadlineMs,
        concurrencyLimit: recipe.concurrency,
        meta: { server: request.server, ...request.meta },
        ...(slot ? { claimFor: { workerId: slot.workerId, leaseMs: slot.leaseMs } } : {}),
      });
    } catch (error) {
      slot?.cancel();
      throw error;
    }
    if (outcome.kind !== 'conflict') Object.assign(stage, { recorded: 'yes', callId: outcome.call.id });
    failpoint('after-enqueue-before-answer', recipe.tool);
    if (slot && outcome.kind === 'created' && outcome.token !== null)
      slot.give({ call: outcome.call, token: outcome.token });
    else slot?.cancel();
    if (outcome.kind === 'conflict') {
      return reject(
        {
          code: 'IDEMPOTENCY_KEY_REUSED',
          message: 'this idempotency key was already used with other arguments',
          retrySafe: false,
          status: 422,
        },
        outcome.callId,
      );
    }
    const call = outcome.call;
    const queued =
      (outcome.kind === 'created' && outcome.token === null) ||
      (outcome.kind === 'existing' && outcome.resumed);
    if (queued) options.onEnqueued?.();
    return attach(call, recipe, request);
  }

  return {
    hasServer: (server) => Object.hasOwn(servers, server),

    async listTools(server) {
      if (servers[server] === undefined) return null;
      const active = await activeTools();
      if (!active) return [];
      const cacheKey = `${active.releaseId}\u0000${server}`;
      let tools = listings.get(cacheKey);
      if (!tools) {
        tools = [...active.recipes.values()].filter((r) => listed(server, r)).map(describeTool);
        // One entry per (release, server); older releases' listings are dropped as deploys come in.
        if (listings.size >= 64) listings.clear();
        listings.set(cacheKey, tools);
      }
      return tools;
    },

    async submit(request: SubmitRequest): Promise<SubmitOutcome> {
      const stage: SubmitStage = { recorded: 'no', callId: null, keyed: false };
      submitting++;
      try {
        return await submitCall(request, stage);
      } catch (error) {
        // The store failed under the call: a tool result saying how far it got, never a -32603.
        if (isStoreUnavailable(error)) return storeOutage(stage);
        throw error;
      } finally {
        submitting--;
      }
    },

    async getTask(callId) {
      const call = await ownCall(callId);
      return call ? taskView(call) : null;
    },

    async answerTask(callId, inputResponses) {
      const call = await ownCall(callId);
      if (!call || (await taskView(call)) === null) return null;
      const ask = call.status === 'input_required' ? await store.getOpenAsk(callId) : null;
      if (!ask) return { kind: 'ok' };
      const { answers, problems } = checkInputResponses(ask, inputResponses, options.validator);
      if (Object.keys(problems).length > 0)
        return {
          kind: 'invalid',
          message: invalidMessage(problems),
          data: { invalidInputResponses: problems },
        };
      if (Object.keys(answers).length === 0) return { kind: 'ok' };
      const outcome = await store.answerAsk(ask.token, answers);
      if (outcome?.kind === 'answered') options.onEnqueued?.();
      return { kind: 'ok' };
    },

    async cancelTask(callId, reason) {
      const call = await ownCall(callId);
      if (!call || (await taskView(call)) === null) return null;
      const after = isTerminal(call.status) ? call : ((await store.cancel(callId, reason)) ?? call);
      return taskView(after);
    },

    async ready() {
      try {
        const report = await store.checkSchema();
        return report.ok
          ? { ok: true, detail: 'store reachable, migrations current' }
          : { ok: false, detail: 'schema drift or pending migrations' };
      } catch {
        return { ok: false, detail: 'store unreachable' };
      }
    },

    async lookupCall(callId) {
      const call = await ownCall(callId);
      if (!call) return null;
      return {
        callId,
        tool: call.tool,
        status: call.status,
        result: isTerminal(call.status) ? resultOf(call) : null,
      };
    },

    settled(callId, settlement) {
      const call = settledCall(settlement);
      if (call) waiter.settled(callId, call);
    },

    close() {
      waiter.close();
    },
  };
}

function inputRequired(ask: AskRecord): SubmitOutcome {
  return { kind: 'input_required', callId: ask.callId, requestState: ask.token, inputRequests: pending(ask) };
}

function invalidMessage(problems: Record<string, string>): string {
  const list = Object.entries(problems).map(([key, problem]) => `"${key}" ${problem}`);
  return `Invalid params: inputResponses refused (nothing was recorded; answer again): ${list.join('; ')}`;
}

function reject(error: ToolError, callId: string | null = null): SubmitOutcome {
  return { kind: 'rejected', error, callId };
}

/** The call as its settlement leaves it; null for a retry, which settles nothing. */
function settledCall(settlement: Settlement): SettledCall | null {
  switch (settlement.status) {
    case 'succeeded':
      return { status: 'succeeded', result: settlement.data, error: null };
    case 'retry_wait':
      return null;
    case 'failed':
    case 'dead':
    case 'outcome_unknown':
      return { status: settlement.status, result: null, error: settlement.error };
    default:
      return assertNever(settlement);
  }
}

/** The settled call as a result: `data`, or the error contract the call settled with. */
export function resultOf(call: SettledCall): CallResult {
  if (call.status === 'succeeded') return { ok: true, data: call.result };
  return {
    ok: false,
    error: call.error ?? { code: 'INTERNAL', message: `call ended ${call.status}`, retrySafe: false },
  };
}

type ResolvedKey =
  { key: string | null; source: IdempotencySource | null; ttlMs: number } | { error: ToolError };

/** One key per call: the recipe's expression, the header, `_meta`, or (opt-in) the content hash. */
async function resolveKey(
  evaluator: TemplateEvaluator,
  recipe: Recipe,
  args: JsonObject,
  argsHash: string,
  request: SubmitRequest,
  ttlMs: number,
): Promise<ResolvedKey> {
  const spec = recipe.idempotency;
  if (spec?.key) {
    let value;
    try {
      value = await evaluator.value(spec.key, {
        input: args,
        steps: {},
        call: { id: '', tool: recipe.tool, attempt: 0, idempotency_key: null },
        env: {},
      });
    } catch (error) {
      return {
        error: {
          code: 'INVALID_ARGUMENTS',
          message: `the idempotency key expression failed: ${(error as Error).message}`,
          retrySafe: false,
          status: 400,
        },
      };
    }
    if (value !== null && value !== '')
      return {
        key: String(typeof value === 'object' ? canonicalJson(value) : value),
        source: 'recipe',
        ttlMs,
      };
  }
  const header = request.headerKey?.trim();
  if (header) return validKey(header, 'header', ttlMs);
  const meta = request.metaKey?.trim();
  if (meta) return validKey(meta, 'meta', ttlMs);
  if (spec?.content) return { key: `content:${argsHash}`, source: 'content', ttlMs: spec.windowMs ?? ttlMs };
  return { key: null, source: null, ttlMs };
}

function validKey(key: string, source: IdempotencySource, ttlMs: number): ResolvedKey {
  if (key.length > 255)
    return {
      error: {
        code: 'INVALID_ARGUMENTS',
        message: 'the idempotency key is longer than 255 characters',
        retrySafe: false,
        status: 400,
      },
    };
  return { key, source, ttlMs };
}
