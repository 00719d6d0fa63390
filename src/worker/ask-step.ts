import { CallError } from '../core/errors.js';
import { INPUT_CAPABILITIES_META_KEY } from '../core/input-capabilities.js';
import { isPlainObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { AskRequest, Step } from '../recipes/recipe.js';
import type { InputRequestMap } from '../store/store.js';
import type { Scope } from './ports.js';
import type { StepContext } from './step-context.js';

type AskStep = Extract<Step, { kind: 'ask' }>;

/** The client capability each input request method needs. */
const CAPABILITY_OF: Record<AskRequest['method'], string> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/**
 * Thrown by an `ask` step that has no answer yet: the attempt stops and the worker suspends the call
 * (running → input_required) with these requests instead of settling it.
 */
export class AskSuspend extends Error {
  constructor(
    readonly stepPath: string,
    readonly requests: InputRequestMap,
    readonly ttlMs: number,
  ) {
    super(`step ${stepPath} waits for client input`);
    this.name = 'AskSuspend';
  }
}

/**
 * Builds the step's input requests (their templates evaluated now) and throws AskSuspend. Requests the
 * client did not declare the capability for are left out (their answers are null); a call whose client
 * can answer none of them fails INPUT_UNSUPPORTED, which is not retry-safe.
 */
export async function askFor(ctx: StepContext, step: AskStep, path: string, scope: Scope): Promise<never> {
  const declared = ctx.call.meta[INPUT_CAPABILITIES_META_KEY];
  const can = Array.isArray(declared) ? new Set(declared.filter((c) => typeof c === 'string')) : null;
  const requests: InputRequestMap = {};
  for (const request of step.requests) {
    if (can?.has(CAPABILITY_OF[request.method]))
      requests[request.key] = await wireRequest(ctx, request, path, scope);
  }
  if (Object.keys(requests).length === 0) {
    const needs = [...new Set(step.requests.map((r) => CAPABILITY_OF[r.method]))].join(' or ');
    throw new CallError({
      code: 'INPUT_UNSUPPORTED',
      message: can
        ? `step ${path} asks the client for input through ${needs}, a capability the client did not declare`
        : `step ${path} asks the client for input, which needs MCP 2026-07-28 (an InputRequiredResult, or a task's tasks/update); this client's protocol revision cannot carry a server-to-client request without a session`,
      retrySafe: false,
    });
  }
  throw new AskSuspend(path, requests, step.ttlMs);
}

async function wireRequest(
  ctx: StepContext,
  request: AskRequest,
  path: string,
  scope: Scope,
): Promise<{ method: string; params: JsonObject }> {
  switch (request.method) {
    case 'elicitation/create': {
      const message = await ctx.evaluator.value(request.message, scope);
      return {
        method: request.method,
        params: { message: asText(message), requestedSchema: request.requestedSchema },
      };
    }
    case 'sampling/createMessage': {
      const params = await ctx.evaluator.value(request.params, scope);
      if (!isPlainObject(params) || !Array.isArray(params.messages))
        throw internal(`step ${path}: the sampling request's messages must evaluate to a list of messages`);
      if (!Number.isInteger(params.maxTokens) || (params.maxTokens as number) < 1)
        throw internal(`step ${path}: the sampling request's max_tokens must evaluate to a positive integer`);
      if (params.systemPrompt !== undefined) params.systemPrompt = asText(params.systemPrompt ?? '');
      return { method: request.method, params: params as JsonObject };
    }
    case 'roots/list':
      return { method: request.method, params: {} };
  }
}

/**
 * The step's value from its answers (the journaled output of an answered ask): the one response of a
 * single-request ask, or every key's response (null for a request that was left out) with `requests:`.
 */
export function askValue(step: AskStep, answers: JsonValue | null): JsonValue {
  const byKey = isPlainObject(answers) ? answers : {};
  if (step.single) return byKey[step.requests[0]?.key ?? ''] ?? null;
  return Object.fromEntries(step.requests.map((r) => [r.key, byKey[r.key] ?? null]));
}

function asText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function internal(message: string): CallError {
  return new CallError({ code: 'INTERNAL', message, retrySafe: false });
}
