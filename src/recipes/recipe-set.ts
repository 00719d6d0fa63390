import { sha256 } from '../core/ids.js';
import type { ActionRegistry } from './compile.js';
import type { Descriptor } from './descriptor.js';
import { loadRecipe } from './load-recipe.js';
import type { Recipe, RecipeError, Step } from './recipe.js';

export interface RecipeFile {
  file: string;
  source: string;
}

export interface LoadedRecipe extends RecipeFile {
  /** sha256 of the source text: the recipe version's identity in a release. */
  digest: string;
  recipe: Recipe;
}

/** A prompt or resource descriptor of the set; `key` is its name in a release (`prompt:NAME`, …). */
export interface LoadedDescriptor extends RecipeFile {
  digest: string;
  key: string;
  descriptor: Descriptor;
}

export interface RecipeSet {
  recipes: LoadedRecipe[];
  /** Prompts and resources declared beside the recipes (empty when there are none). */
  descriptors?: LoadedDescriptor[];
  errors: RecipeError[];
}

/**
 * Compiles a set of recipe files that deploy together, then checks them as a whole: tool names are
 * unique, every `call:` names a recipe of the set, and no recipe calls itself through others. The set
 * is usable only when `errors` is empty.
 */
export function compileRecipeSet(files: readonly RecipeFile[], registry: ActionRegistry): RecipeSet {
  const recipes: LoadedRecipe[] = [];
  const descriptors: LoadedDescriptor[] = [];
  const errors: RecipeError[] = [];
  const declared = new Map<string, RecipeFile>();
  const keys = new Map<string, RecipeFile>();
  // Code-unit order, not locale order: which file is "first" must not depend on the machine.
  for (const entry of [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    const result = loadRecipe(entry.file, entry.source, registry);
    errors.push(...result.errors);
    if (result.descriptorKey) {
      const first = keys.get(result.descriptorKey);
      if (first) {
        errors.push({
          file: entry.file,
          line: 1,
          message: `${result.descriptorKey} is already declared in ${first.file}`,
        });
        continue;
      }
      keys.set(result.descriptorKey, entry);
      if (result.descriptor)
        descriptors.push({
          ...entry,
          digest: sha256(entry.source),
          key: result.descriptorKey,
          descriptor: result.descriptor,
        });
      continue;
    }
    if (result.tool !== null) {
      const first = declared.get(result.tool);
      if (first) {
        errors.push({
          file: entry.file,
          line: result.lineOf?.(['tool']) ?? 1,
          message: `tool "${result.tool}" is already declared in ${first.file}`,
        });
        continue;
      }
      declared.set(result.tool, entry);
    }
    if (result.recipe) recipes.push({ ...entry, digest: sha256(entry.source), recipe: result.recipe });
  }
  errors.push(...checkCalls(recipes, new Set(declared.keys())));
  for (const { file, descriptor } of descriptors)
    if (descriptor.kind !== 'resource' && descriptor.recipe && !declared.has(descriptor.recipe))
      errors.push({
        file,
        line: 1,
        message: `recipe: "${descriptor.recipe}" names no recipe in the folder`,
      });
  return { recipes, descriptors, errors };
}

function checkCalls(recipes: readonly LoadedRecipe[], declared: ReadonlySet<string>): RecipeError[] {
  const errors: RecipeError[] = [];
  const byTool = new Map(recipes.map((r) => [r.recipe.tool, r]));
  for (const { file, recipe } of recipes) {
    for (const step of recipe.steps) {
      for (const called of calledBy(step))
        if (!declared.has(called))
          errors.push({
            file,
            line: step.line ?? 1,
            message: `steps[${step.index}]: calls "${called}", but no recipe in the folder has that tool name`,
          });
    }
  }
  for (const cycle of callCycles(byTool)) {
    const [head, next] = cycle;
    const owner = byTool.get(head as string);
    const step = owner?.recipe.steps.find((s) => calledBy(s).includes(next as string));
    errors.push({
      file: owner?.file ?? '',
      line: step?.line ?? 1,
      message: `call cycle: ${cycle.join(' → ')} (a recipe may not call itself, directly or through others)`,
    });
  }
  return errors;
}

/** The recipes a step runs: its `call`, and its compensation's. */
function calledBy(step: Step): string[] {
  const called: string[] = [];
  if (step.kind === 'call') called.push(step.recipe);
  if ((step.kind === 'call' || step.kind === 'action') && step.compensate?.kind === 'call')
    called.push(step.compensate.recipe);
  return called;
}

/** Each cycle once, as the tools along it with the first repeated at the end. */
function callCycles(byTool: ReadonlyMap<string, LoadedRecipe>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (tool: string, trail: string[]): void => {
    const seenAt = trail.indexOf(tool);
    if (seenAt >= 0) {
      cycles.push([...trail.slice(seenAt), tool]);
      return;
    }
    if (done.has(tool)) return;
    const recipe = byTool.get(tool)?.recipe;
    for (const step of recipe?.steps ?? [])
      for (const called of calledBy(step)) visit(called, [...trail, tool]);
    done.add(tool);
  };
  for (const tool of [...byTool.keys()].sort()) visit(tool, []);
  return cycles;
}
