import type { JsonObject } from '../core/json.js';
import { CompileContext } from './compile-context.js';
import { compileStep, type ActionRegistry } from './compile-step.js';
import type { ParsedRecipeFile } from './parse.js';
import type { Recipe, RecipeError, RecipeIdempotency, Step } from './recipe.js';
import { checkJsonSchema, checkParamHeaderAnnotations, type RecipeDocument } from './schema.js';
import { splitTemplate } from './template-syntax.js';

export type { ActionRegistry } from './compile-step.js';

export interface CompileResult {
  recipe: Recipe | null;
  errors: RecipeError[];
}

/**
 * The checks the schema cannot make, on a file that passed it: expressions parse and read only steps
 * that ran before; step ids are unique; actions exist and get a connection when they need one; error
 * codes are not the platform's; durations become milliseconds; `input`/`output_schema` compile.
 * Checks across files (`call:` targets, tool names) belong to the folder loader.
 */
export function compileRecipe(
  parsed: ParsedRecipeFile,
  doc: RecipeDocument,
  registry: ActionRegistry,
): CompileResult {
  const stepDocs = doc.steps ?? [];
  const ids = new Set(stepDocs.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  const ctx = new CompileContext(parsed.file, parsed.lineOf, ids);

  checkSchema(ctx, doc.input, 'input');
  if (doc.output_schema) checkSchema(ctx, doc.output_schema, 'output_schema');
  const idempotency = compileIdempotency(ctx, doc.idempotency);
  const waitMs = ctx.duration(doc.wait, ['wait']);
  const deadlineMs = ctx.duration(doc.deadline, ['deadline']);

  const steps: Step[] = [];
  const earlier = new Set<string>();
  const firstUse = new Map<string, number>();
  stepDocs.forEach((stepDoc, index) => {
    const step = compileStep(ctx, stepDoc, index, new Set(earlier), registry);
    if (step) steps.push(step);
    if (stepDoc.id === undefined) return;
    const first = firstUse.get(stepDoc.id);
    if (first !== undefined)
      ctx.error(
        ['steps', index, 'id'],
        `duplicate step id "${stepDoc.id}" (first used at line ${ctx.lineOf(['steps', first])})`,
      );
    else firstUse.set(stepDoc.id, index);
    earlier.add(stepDoc.id);
  });
  const output = doc.output === undefined ? null : ctx.template(doc.output, ['output'], ids);
  // Built from the settled call's data, after every step ran: no step is visible to it.
  const content = doc.content === undefined ? null : ctx.template(doc.content, ['content'], new Set());

  if (ctx.errors.length > 0) return { recipe: null, errors: ctx.errors.sort((a, b) => a.line - b.line) };
  const recipe: Recipe = {
    tool: doc.tool,
    title: doc.title ?? null,
    description: doc.description,
    annotations: doc.annotations ?? null,
    input: doc.input,
    outputSchema: doc.output_schema ?? null,
    idempotency,
    expose: doc.expose ?? true,
    waitMs,
    deadlineMs,
    concurrency: doc.concurrency ?? null,
    steps,
    output,
    task: doc.task ?? 'optional',
    clientCapabilities: doc.client_capabilities ?? null,
    content,
  };
  return { recipe, errors: [] };
}

function checkSchema(ctx: CompileContext, schema: JsonObject, key: string): void {
  const problem = checkJsonSchema(schema);
  if (problem) ctx.error([key], problem);
  for (const { path, message } of checkParamHeaderAnnotations(schema, key === 'input'))
    ctx.error([key, ...path], message);
}

function compileIdempotency(
  ctx: CompileContext,
  doc: RecipeDocument['idempotency'],
): RecipeIdempotency | null {
  if (!doc) return null;
  const windowMs = ctx.duration(doc.window, ['idempotency', 'window']);
  if (doc.key === undefined) return { key: null, content: true, windowMs };
  // Evaluated before any step runs, so no step is visible; a constant key would merge every call.
  const before = ctx.errors.length;
  ctx.template(doc.key, ['idempotency', 'key'], new Set());
  const constant =
    ctx.errors.length === before && !splitTemplate(doc.key).some((part) => part.kind === 'expression');
  if (constant)
    ctx.error(['idempotency', 'key'], 'must contain an expression, e.g. ${ input.idempotency_token }');
  return { key: doc.key, content: false, windowMs: null };
}
