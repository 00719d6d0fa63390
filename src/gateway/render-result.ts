import { isPlainObject, type JsonObject } from '../core/json.js';
import type { Recipe } from '../recipes/recipe.js';
import type { TemplateEvaluator } from '../recipes/template-evaluator.js';
import type { CallResult } from './tool-service.js';

/** The recipe's `content` could not be built from a settled call: a JSON-RPC internal error, not a tool result. */
export class RenderError extends Error {
  override readonly name = 'RenderError';
}

/** What a result's content template sees of the call. */
export interface RenderScope {
  callId: string;
  tool: string;
  attempt: number;
  idempotencyKey: string | null;
  args: JsonObject;
}

/**
 * Adds the recipe's own content blocks to a successful result (they go on the wire before the
 * envelope's text block). Failures carry the envelope alone. Throws RenderError when the template
 * fails or does not give content blocks.
 */
export async function renderResult(
  evaluator: TemplateEvaluator,
  recipe: Recipe | undefined,
  result: CallResult,
  scope: RenderScope,
): Promise<CallResult> {
  if (!result.ok || !recipe?.content) return result;
  let blocks;
  try {
    blocks = await evaluator.value(recipe.content, {
      input: scope.args,
      steps: {},
      call: {
        id: scope.callId,
        tool: scope.tool,
        attempt: scope.attempt,
        idempotency_key: scope.idempotencyKey,
      },
      env: {},
      data: result.data,
    });
  } catch (error) {
    throw new RenderError(`content of ${scope.tool}: ${(error as Error).message}`);
  }
  if (!Array.isArray(blocks) || !blocks.every((b) => isPlainObject(b) && typeof b.type === 'string'))
    throw new RenderError(`content of ${scope.tool}: the template did not give a list of content blocks`);
  return { ...result, content: blocks as JsonObject[] };
}
