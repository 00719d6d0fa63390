import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ActionRegistry } from './compile.js';
import type { RecipeError } from './recipe.js';
import { compileRecipeSet, type RecipeFile, type RecipeSet } from './recipe-set.js';

/**
 * Loads every `*.yaml` / `*.yml` file directly in `dir` (not in sub-folders; names starting with "."
 * are skipped, as editors and Kubernetes leave such entries behind) and checks them as one set.
 *
 * `recipes[].file` is the bare file name (a release must not depend on where the folder was);
 * `errors[].file` is the path under `dir`, so editors and terminals can open it.
 */
export async function loadRecipeFolder(dir: string, registry: ActionRegistry): Promise<RecipeSet> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name) && !name.startsWith('.')).sort();
  } catch (error) {
    throw new UsageError(
      `cannot read the recipes folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const files: RecipeFile[] = [];
  const unreadable: RecipeError[] = [];
  for (const file of names) {
    const full = path.join(dir, file);
    try {
      // stat follows symlinks: mounted config (Kubernetes ConfigMaps) arrives as links to files.
      if (!(await stat(full)).isFile()) continue;
      files.push({ file, source: await readFile(full, 'utf8') });
    } catch (error) {
      unreadable.push({
        file,
        line: 1,
        message: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
    }
  }
  const set = compileRecipeSet(files, registry);
  return {
    recipes: set.recipes,
    descriptors: set.descriptors ?? [],
    errors: [...unreadable, ...set.errors].map((e) => ({ ...e, file: path.join(dir, e.file) })),
  };
}
