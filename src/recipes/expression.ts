import jsonata from 'jsonata';
import type { JsonValue } from '../core/json.js';
import {
  DEFAULT_EXPRESSION_LIMITS,
  ExpressionError,
  type CompiledExpression,
  type CompiledTemplate,
  type ExpressionLimits,
  type ExpressionScope,
} from './expression-types.js';
import { stepReferences } from './step-refs.js';
import { buildTemplate } from './template.js';
import { toJson } from './to-json.js';

export * from './expression-types.js';

/**
 * The one module that imports JSONata. Expressions are parsed once per source text (and limits) and
 * evaluated with the scope as the input document and as variables, under a time and a depth limit.
 */

/** Parses a bare JSONata expression (no `${ }`); throws ExpressionError when it does not parse. */
export function compileExpression(source: string): CompiledExpression {
  const ast = parsed(source, DEFAULT_EXPRESSION_LIMITS).ast();
  const stepRefs = stepReferences(ast);
  const names = namePath(ast);
  const fail = (problem: string): never => {
    throw new ExpressionError(`expression "${source.trim()}" ${problem}`, source, null);
  };
  return {
    source,
    stepRefs,
    async evaluate(scope, limits = DEFAULT_EXPRESSION_LIMITS) {
      const found = names ? lookUp(scope, names) : undefined;
      if (found !== undefined) return toJson(found, fail);
      let result: unknown;
      try {
        result = await parsed(source, limits).evaluate(scope, { ...scope });
      } catch (error) {
        throw evaluationError(source, error, limits);
      }
      return toJson(result, fail);
    },
  };
}

/** Compiles a template: any JSON value whose strings may hold `${ ... }` (see docs/recipes.md). */
export function compileTemplate(value: JsonValue): CompiledTemplate {
  return buildTemplate(value, compileExpression);
}

export function evaluateTemplate(
  value: JsonValue,
  scope: ExpressionScope,
  limits?: ExpressionLimits,
): Promise<JsonValue> {
  return compileTemplate(value).evaluate(scope, limits);
}

/**
 * The names of a plain path like `input.message` or `steps.said.data` (name steps only: no predicates,
 * filters, variables or functions), else null. Most recipe expressions are such paths; they are read
 * straight from the scope (see lookUp), which is what JSONata would do, without its evaluator.
 */
function namePath(ast: jsonata.ExprNode): string[] | null {
  // JSONata's typings do not list the `path` node its parser produces.
  const node = ast as { type: string; steps?: Array<{ type: string; value?: unknown }> };
  if (node.type !== 'path' || !Object.keys(node).every((key) => key === 'type' || key === 'steps'))
    return null;
  const names: string[] = [];
  for (const step of node.steps ?? []) {
    const plain = Object.keys(step).every((key) => key === 'type' || key === 'value' || key === 'position');
    if (!plain || step.type !== 'name' || typeof step.value !== 'string') return null;
    names.push(step.value);
  }
  return names.length > 0 ? names : null;
}

/**
 * The value at `names` when every value on the way is a plain object and the value found is neither
 * missing nor an array: there JSONata's path semantics (mapping over arrays, flattening sequences,
 * an empty sequence for a missing field) reduce to property reads. Otherwise undefined, and the caller
 * asks JSONata.
 */
function lookUp(scope: ExpressionScope, names: string[]): unknown {
  let value: unknown = scope;
  for (const name of names) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return Array.isArray(value) ? undefined : value;
}

// Compiled JSONata per (limits, source): JSONata fixes its time/depth options when it parses.
const CACHE_LIMIT = 10_000;
const cache = new Map<string, jsonata.Expression>();

function parsed(source: string, limits: ExpressionLimits): jsonata.Expression {
  const key = `${limits.timeoutMs}:${limits.maxDepth}:${source}`;
  let expression = cache.get(key);
  if (expression) return expression;
  try {
    expression = jsonata(source, { timeout: limits.timeoutMs, stack: limits.maxDepth });
  } catch (error) {
    const { message, position } = jsonataFault(error);
    throw new ExpressionError(
      `expression "${source.trim()}" does not parse: ${message}${at(position)}`,
      source,
      position,
    );
  }
  // $eval would run text built at run time, past the static checks (step references, review).
  expression.registerFunction('eval', () => {
    throw new Error('$eval is not allowed in recipes');
  });
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, expression);
  return expression;
}

function evaluationError(source: string, error: unknown, limits: ExpressionLimits): ExpressionError {
  const { code, message, position } = jsonataFault(error);
  const text = `expression "${source.trim()}"`;
  if (code === 'D1012') {
    return new ExpressionError(`${text} ran past its time limit of ${limits.timeoutMs} ms`, source, position);
  }
  // D1011 is JSONata's own depth guard; a RangeError is the JavaScript stack giving out first.
  if (code === 'D1011' || error instanceof RangeError) {
    const problem = `went deeper than its depth limit of ${limits.maxDepth} (runaway recursion?)`;
    return new ExpressionError(`${text} ${problem}`, source, position);
  }
  return new ExpressionError(`${text} failed: ${message}${at(position)}`, source, position);
}

/** JSONata throws plain objects `{code, position, token, message}`, not Errors. */
function jsonataFault(error: unknown): { code: string | null; message: string; position: number | null } {
  const fault = (error ?? {}) as { code?: unknown; message?: unknown; position?: unknown };
  return {
    code: typeof fault.code === 'string' ? fault.code : null,
    message: typeof fault.message === 'string' ? fault.message : String(error),
    position: typeof fault.position === 'number' ? fault.position : null,
  };
}

function at(position: number | null): string {
  return position === null ? '' : ` (at position ${position})`;
}
