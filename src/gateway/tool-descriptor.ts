import type { JsonObject } from '../core/json.js';
import { scanParamHeaders } from '../core/param-headers.js';
import type { Recipe } from '../recipes/recipe.js';
import type { ToolDescriptor } from './tool-service.js';

/** A recipe as tools/list shows it: the result envelope as outputSchema, guarantees in `_meta`. */
export function describeTool(recipe: Recipe): ToolDescriptor {
  // The compiler refused schemas with a bad annotation, so the scan finds no problems here.
  const { headers } = scanParamHeaders(recipe.input);
  return {
    name: recipe.tool,
    title: recipe.title,
    description: recipe.description,
    inputSchema: recipe.input,
    outputSchema: envelopeSchema(recipe.outputSchema),
    annotations: recipe.annotations,
    meta: { 'dev.switchyard/guarantees': guarantees(recipe) },
    taskSupport: recipe.task,
    requiredCapabilities: recipe.clientCapabilities,
    ...(headers.length > 0 ? { paramHeaders: headers } : {}),
  };
}

/** The result envelope every tool advertises as its outputSchema, `data` being the recipe's output schema. */
export function envelopeSchema(data: JsonObject | null): JsonObject {
  return {
    type: 'object',
    properties: {
      success: { type: 'boolean' },
      data: data ?? {},
      call_id: { type: ['string', 'null'] },
      error_code: { type: 'string' },
      error_message: { type: 'string' },
      retry_safe: { type: 'boolean' },
      retry_after_ms: { type: 'number' },
    },
    required: ['success', 'call_id'],
  };
}

function guarantees(recipe: Recipe): JsonObject {
  const idempotency = recipe.idempotency?.key
    ? 'recipe key'
    : recipe.idempotency?.content
      ? 'content hash within the window'
      : 'Idempotency-Key header or _meta["dev.switchyard/idempotency-key"]';
  return {
    durable: 'committed before it runs; no acknowledged call is lost',
    steps: 'journaled; a resumed call never repeats a finished step',
    effects:
      'exactly once where the downstream honours the step key; otherwise a step interrupted by a crash ends OUTCOME_UNKNOWN',
    idempotency,
  };
}
