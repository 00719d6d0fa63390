import type { JsonObject, JsonValue } from '../core/json.js';
import type { ExpressionScope } from '../recipes/expression-types.js';
import type { Recipe, Template } from '../recipes/recipe.js';

/** What expressions see: `input`, `steps`, `call` and the allow-listed `env`. */
export type Scope = ExpressionScope & { input: JsonObject };

/** Evaluates recipe templates and expressions (implemented by recipes/expression.ts). */
export interface TemplateEvaluator {
  value(template: Template, scope: Scope): Promise<JsonValue>;
  test(expression: string, scope: Scope): Promise<boolean>;
}

/** Finds the compiled recipe a call runs: the version in the release the call is pinned to. */
export interface RecipeSource {
  recipe(releaseId: string, tool: string): Promise<Recipe | null>;
}

/** Validates a value against a JSON Schema, returning the first problem as text (or null when valid). */
export interface SchemaValidator {
  check(schema: JsonObject, value: unknown): string | null;
}
