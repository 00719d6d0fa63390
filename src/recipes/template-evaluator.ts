import type { JsonValue } from '../core/json.js';
import {
  compileTemplate,
  type CompiledTemplate,
  type ExpressionLimits,
  type ExpressionScope,
} from './expression.js';
import type { Template } from './recipe.js';
import { isTruthy } from './to-json.js';

/** The worker's and gateway's view of expressions (structurally the worker's TemplateEvaluator port). */
export interface TemplateEvaluator {
  /** Evaluates a recipe template (`with`, `return`, `output`, a message, `idempotency.key`). */
  value(template: Template, scope: ExpressionScope): Promise<JsonValue>;
  /** Evaluates a `when:` string (`${ ... }`) with JSONata's truthiness. */
  test(expression: string, scope: ExpressionScope): Promise<boolean>;
}

/**
 * Evaluates templates of compiled recipes under the configured limits. Compiled templates are kept per
 * template object (recipes live as long as their release is loaded) and per string, so a hot recipe
 * parses its expressions once.
 */
export function createTemplateEvaluator(limits: ExpressionLimits): TemplateEvaluator {
  const byObject = new WeakMap<object, CompiledTemplate>();
  const byString = new Map<string, CompiledTemplate>();

  const compiled = (template: Template): CompiledTemplate => {
    if (template !== null && typeof template === 'object') {
      let found = byObject.get(template);
      if (!found) byObject.set(template, (found = compileTemplate(template)));
      return found;
    }
    if (typeof template !== 'string') return compileTemplate(template);
    let found = byString.get(template);
    if (!found) {
      // Strings come from deployed recipes, so this stays small; the bound guards against surprises.
      if (byString.size >= 10_000) byString.clear();
      byString.set(template, (found = compileTemplate(template)));
    }
    return found;
  };

  return {
    value: (template, scope) => compiled(template).evaluate(scope, limits),
    test: async (expression, scope) => isTruthy(await compiled(expression).evaluate(scope, limits)),
  };
}
