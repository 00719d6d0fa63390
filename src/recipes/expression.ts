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
  const stepRefs = stepReferences(parsed(source, DEFAULT_EXPRESSION_LIMITS).ast());
  const fail = (problem: string): never => {
    throw new ExpressionError(`expression "${source.trim()}" ${problem}`, source, null);
  };
  return {
    source,
    stepRefs,
    async evaluate(scope, limits = DEFAULT_EXPRESSION_LIMITS) {
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
