import type { JsonPrimitive, JsonValue } from '../core/json.js';
import {
  DEFAULT_EXPRESSION_LIMITS,
  ExpressionError,
  type CompiledExpression,
  type CompiledTemplate,
  type ExpressionLimits,
  type ExpressionScope,
  type TemplateExpression,
} from './expression-types.js';
import { isSingleExpression, splitTemplate, TemplateSyntaxError } from './template-syntax.js';
import { asText } from './to-json.js';

type Node =
  | { kind: 'const'; value: JsonPrimitive }
  | { kind: 'value'; expression: CompiledExpression }
  | { kind: 'text'; parts: Array<string | CompiledExpression> }
  | { kind: 'array'; items: Node[] }
  | { kind: 'object'; entries: Array<[string, Node]> };

type Path = Array<string | number>;

/**
 * Compiles every string of a JSON value into a tree evaluated later against a scope. Object keys are
 * never expressions. `compile` parses one bare expression (handed in, so this file stays free of JSONata).
 * Evaluation builds fresh containers each time: callers may mutate what they get back.
 */
export function buildTemplate(
  value: JsonValue,
  compile: (source: string) => CompiledExpression,
): CompiledTemplate {
  const expressions: TemplateExpression[] = [];
  const root = compileNode(value, [], { compile, expressions });
  return {
    expressions,
    evaluate: (scope, limits = DEFAULT_EXPRESSION_LIMITS) => evaluateNode(root, scope, limits),
  };
}

interface Build {
  compile: (source: string) => CompiledExpression;
  expressions: TemplateExpression[];
}

function compileNode(value: JsonValue, path: Path, build: Build): Node {
  if (Array.isArray(value)) {
    return { kind: 'array', items: value.map((item, i) => compileNode(item, [...path, i], build)) };
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]): [string, Node] => [
      key,
      compileNode(item, [...path, key], build),
    ]);
    return { kind: 'object', entries };
  }
  if (typeof value !== 'string' || !value.includes('${')) return { kind: 'const', value };
  const split = located(path, () => splitTemplate(value));
  const parts = split.map((part) => {
    if (part.kind === 'text') return part.text;
    const expression = located(path, () => build.compile(part.source));
    build.expressions.push({ path, expression });
    return expression;
  });
  const [only] = parts;
  if (typeof only === 'object' && isSingleExpression(split)) return { kind: 'value', expression: only };
  if (typeof only === 'string' && parts.length === 1) return { kind: 'const', value: only };
  return { kind: 'text', parts };
}

async function evaluateNode(
  node: Node,
  scope: ExpressionScope,
  limits: ExpressionLimits,
): Promise<JsonValue> {
  switch (node.kind) {
    case 'const':
      return node.value;
    case 'value':
      return node.expression.evaluate(scope, limits);
    case 'text': {
      let text = '';
      for (const part of node.parts) {
        text += typeof part === 'string' ? part : asText(await part.evaluate(scope, limits));
      }
      return text;
    }
    case 'array': {
      const items: JsonValue[] = [];
      for (const item of node.items) items.push(await evaluateNode(item, scope, limits));
      return items;
    }
    case 'object': {
      const out: Record<string, JsonValue> = {};
      for (const [key, item] of node.entries) out[key] = await evaluateNode(item, scope, limits);
      return out;
    }
  }
}

/** Runs a compile step, giving any error the template path of the string it came from. */
function located<T>(path: Path, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof TemplateSyntaxError) {
      throw new ExpressionError(error.message, error.text, error.offset, path);
    }
    if (error instanceof ExpressionError)
      throw new ExpressionError(error.message, error.expression, error.position, path);
    throw error;
  }
}
