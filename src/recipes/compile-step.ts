import { DEFAULT_LIMITS } from '../config/config.js';
import { isPlatformErrorCode } from '../core/errors.js';
import type { DocPath } from './doc-path.js';
import type { CompileContext } from './compile-context.js';
import {
  DEFAULT_ASK_TTL_MS,
  type AskRequest,
  type Compensation,
  type FailSpec,
  type OnErrorRule,
  type RetryPolicy,
  type Step,
  type StepKindName,
  type Template,
} from './recipe.js';
import {
  checkJsonSchema,
  type FailDocument,
  type InputRequestDocument,
  type StepDocument,
} from './schema.js';

/** What the compiler needs to know about connectors; the connector registry provides it. */
export interface ActionRegistry {
  hasAction(connector: string, action: string): boolean;
  /** True when the connector's actions run against a named connection (credentials, base URL). */
  needsConnection(connector: string): boolean;
}

/** The keys each kind of step may carry (the schema allows their union on every step). */
const KEYS_BY_KIND = {
  action: ['id', 'when', 'action', 'connection', 'with', 'retry', 'timeout', 'on_error', 'compensate'],
  call: ['id', 'when', 'call', 'with', 'timeout', 'compensate'],
  return: ['id', 'when', 'return'],
  fail: ['id', 'when', 'fail'],
  ask: ['id', 'when', 'ask'],
} as const satisfies Record<StepKindName, readonly (keyof StepDocument)[]>;

/**
 * Compiles one schema-valid step. `earlier` holds the ids of the steps before it: the only ones its
 * expressions may read. Problems go to the context; the result is null when there were any.
 */
export function compileStep(
  ctx: CompileContext,
  doc: StepDocument,
  index: number,
  earlier: ReadonlySet<string>,
  registry: ActionRegistry,
): Step | null {
  const path: DocPath = ['steps', index];
  const before = ctx.errors.length;
  if (doc.compensate && doc.id === undefined)
    ctx.error([...path, 'compensate'], 'a step with a compensation needs an id (its undo reads steps.<id>)');
  const kind = kindOf(doc);
  const allowed: readonly string[] = KEYS_BY_KIND[kind];
  for (const key of Object.keys(doc)) {
    if (!allowed.includes(key))
      ctx.error([...path, key], `"${key}" does not apply to ${kind === 'ask' ? 'an' : 'a'} ${kind} step`);
  }
  const base = {
    id: doc.id ?? null,
    index,
    when: ctx.condition(doc.when, [...path, 'when'], earlier),
    line: ctx.lineOf(path),
  };
  const step = build(ctx, doc, kind, path, earlier, registry, base);
  return ctx.errors.length > before ? null : step;
}

function kindOf(doc: StepDocument): StepKindName {
  if (doc.action !== undefined) return 'action';
  if (doc.call !== undefined) return 'call';
  if (doc.return !== undefined) return 'return';
  if (doc.ask !== undefined) return 'ask';
  return 'fail';
}

type Base = Pick<Step, 'id' | 'index' | 'when' | 'line'>;

function build(
  ctx: CompileContext,
  doc: StepDocument,
  kind: StepKindName,
  path: DocPath,
  earlier: ReadonlySet<string>,
  registry: ActionRegistry,
  base: Base,
): Step {
  switch (kind) {
    case 'action': {
      const target = doc.action ?? '';
      const dot = target.indexOf('.');
      const connector = target.slice(0, dot);
      const action = target.slice(dot + 1);
      checkConnection(ctx, path, connector, action, doc.connection, registry);
      return {
        ...base,
        kind,
        connector,
        action,
        connection: doc.connection ?? null,
        with: input(ctx, doc, path, earlier),
        retry: retry(ctx, doc.retry, [...path, 'retry']),
        timeoutMs: ctx.duration(doc.timeout, [...path, 'timeout']),
        onError: Object.entries(doc.on_error ?? {}).map(([code, rule]): OnErrorRule => {
          const rulePath = [...path, 'on_error', code];
          if (rule.fail) return { code, fail: failSpec(ctx, rule.fail, [...rulePath, 'fail'], earlier) };
          return { code, value: ctx.template(rule.value ?? null, [...rulePath, 'value'], earlier) };
        }),
        compensate: compensation(ctx, doc, path, earlier, registry, base),
      };
    }
    case 'call':
      return {
        ...base,
        kind,
        recipe: doc.call ?? '',
        with: input(ctx, doc, path, earlier),
        timeoutMs: ctx.duration(doc.timeout, [...path, 'timeout']),
        compensate: compensation(ctx, doc, path, earlier, registry, base),
      };
    case 'return':
      return { ...base, kind, value: ctx.template(doc.return ?? null, [...path, 'return'], earlier) };
    case 'fail':
      return {
        ...base,
        kind,
        fail: failSpec(ctx, doc.fail ?? { code: '', message: '' }, [...path, 'fail'], earlier),
      };
    case 'ask': {
      const ask = doc.ask ?? {};
      const askPath = [...path, 'ask'];
      const entries: [string, InputRequestDocument, DocPath][] = ask.requests
        ? Object.entries(ask.requests).map(([key, request]) => [key, request, [...askPath, 'requests', key]])
        : [[doc.id ?? 'input', ask, askPath]];
      return {
        ...base,
        kind,
        requests: entries.map(([key, request, at]) => inputRequest(ctx, key, request, at, earlier)),
        single: ask.requests === undefined,
        ttlMs: ctx.duration(ask.ttl, [...askPath, 'ttl']) ?? DEFAULT_ASK_TTL_MS,
      };
    }
  }
}

/** One input request of an ask step; the schema guaranteed exactly one of its three kinds. */
function inputRequest(
  ctx: CompileContext,
  key: string,
  doc: InputRequestDocument,
  path: DocPath,
  earlier: ReadonlySet<string>,
): AskRequest {
  if (doc.elicitation) {
    const at = [...path, 'elicitation'];
    const schema = doc.elicitation.requested_schema;
    const problem = checkJsonSchema(schema);
    if (problem) ctx.error([...at, 'requested_schema'], problem);
    else if (schema.type !== 'object' || typeof schema.properties !== 'object')
      ctx.error(
        [...at, 'requested_schema'],
        'must be an object schema with properties (elicitation forms hold primitive fields)',
      );
    return {
      key,
      method: 'elicitation/create',
      message: ctx.template(doc.elicitation.message, [...at, 'message'], earlier),
      requestedSchema: schema,
    };
  }
  if (doc.sampling) {
    const at = [...path, 'sampling'];
    const { messages, max_tokens, system_prompt, temperature } = doc.sampling;
    const params: Record<string, Template> = {
      messages: ctx.template(messages, [...at, 'messages'], earlier),
      maxTokens: ctx.template(max_tokens, [...at, 'max_tokens'], earlier),
    };
    if (system_prompt !== undefined)
      params.systemPrompt = ctx.template(system_prompt, [...at, 'system_prompt'], earlier);
    if (temperature !== undefined)
      params.temperature = ctx.template(temperature, [...at, 'temperature'], earlier);
    return { key, method: 'sampling/createMessage', params };
  }
  return { key, method: 'roots/list' };
}

/** A step's `compensate`: an action or sub-recipe whose expressions may also read the step itself. */
function compensation(
  ctx: CompileContext,
  doc: StepDocument,
  path: DocPath,
  earlier: ReadonlySet<string>,
  registry: ActionRegistry,
  base: Base,
): Compensation | null {
  const undo = doc.compensate;
  if (!undo) return null;
  const undoPath = [...path, 'compensate'];
  const scope = doc.id ? new Set([...earlier, doc.id]) : earlier;
  const kind = undo.action !== undefined ? 'action' : 'call';
  const step = build(ctx, undo, kind, undoPath, scope, registry, { ...base, id: null, when: null });
  if (step.kind !== 'action' && step.kind !== 'call') return null;
  const { compensate: _nested, ...rest } = step;
  return rest;
}

function checkConnection(
  ctx: CompileContext,
  path: DocPath,
  connector: string,
  action: string,
  connection: string | undefined,
  registry: ActionRegistry,
): void {
  if (!registry.hasAction(connector, action)) {
    ctx.error([...path, 'action'], `unknown action "${connector}.${action}" (no connector offers it)`);
    return;
  }
  const needs = registry.needsConnection(connector);
  if (needs && connection === undefined)
    ctx.error([...path, 'action'], `${connector}.${action} needs a connection: add "connection: <name>"`);
  if (!needs && connection !== undefined)
    ctx.error([...path, 'connection'], `the ${connector} connector takes no connection`);
  if (connection?.includes('${'))
    ctx.error([...path, 'connection'], 'must be a connection name, not an expression');
}

/** `with:` is a template object, or one expression giving the whole input; absent means `{}`. */
function input(
  ctx: CompileContext,
  doc: StepDocument,
  path: DocPath,
  earlier: ReadonlySet<string>,
): Template {
  if (typeof doc.with === 'string')
    return (
      ctx.expression(
        doc.with,
        [...path, 'with'],
        earlier,
        'must be a mapping, or exactly one expression ${ ... } giving one',
      ) ?? {}
    );
  return ctx.template(doc.with ?? {}, [...path, 'with'], earlier);
}

function retry(ctx: CompileContext, doc: StepDocument['retry'], path: DocPath): RetryPolicy | null {
  if (!doc) return null;
  const defaults = DEFAULT_LIMITS.backoff;
  const backoff = doc.backoff ?? {};
  return {
    attempts: doc.attempts,
    backoff: {
      initialMs: ctx.duration(backoff.initial, [...path, 'backoff', 'initial']) ?? defaults.initialMs,
      factor: backoff.factor ?? defaults.factor,
      maxMs: ctx.duration(backoff.max, [...path, 'backoff', 'max']) ?? defaults.maxMs,
      jitter: backoff.jitter ?? defaults.jitter,
    },
  };
}

function failSpec(
  ctx: CompileContext,
  doc: FailDocument,
  path: DocPath,
  earlier: ReadonlySet<string>,
): FailSpec {
  if (isPlatformErrorCode(doc.code)) {
    ctx.error(
      [...path, 'code'],
      `"${doc.code}" is a platform error code; recipes fail with their own codes (e.g. GUEST_NOT_FOUND)`,
    );
  }
  return {
    code: doc.code,
    status: doc.status ?? 400,
    message: ctx.template(doc.message, [...path, 'message'], earlier),
    retrySafe: doc.retry_safe ?? false,
  };
}
