import type { JsonObject } from '../core/json.js';
import type { ExpressionScope } from '../recipes/expression-types.js';
import type { Recipe } from '../recipes/recipe.js';

/** What expressions see: `input`, `steps`, `call` and the allow-listed `env`. */
export type Scope = ExpressionScope & { input: JsonObject };

/** Finds the compiled recipe a call runs: the version in the release the call is pinned to. */
export interface RecipeSource {
  recipe(releaseId: string, tool: string): Promise<Recipe | null>;
}

export type { SchemaValidator } from '../core/json-schema.js';
export type { TemplateEvaluator } from '../recipes/template-evaluator.js';
