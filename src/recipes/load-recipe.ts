import { atPath, type DocPath } from './doc-path.js';
import { compileRecipe, type ActionRegistry, type CompileResult } from './compile.js';
import { parseRecipeFile } from './parse.js';
import { checkRecipeShape, type RecipeDocument } from './schema.js';

export interface LoadResult extends CompileResult {
  /** The `tool:` the file declares, even when it has errors, so other files' `call:`s are not blamed. */
  tool: string | null;
  /** Line lookup into the file's source, when it parsed. */
  lineOf: ((path: DocPath) => number) | null;
}

/**
 * One recipe file from source text to a compiled Recipe: YAML syntax, then the published schema, then
 * the compile checks. Each stage runs only on what the previous one accepted, so one mistake is not
 * reported three times; every error names the file and a 1-based line.
 */
export function loadRecipe(file: string, source: string, registry: ActionRegistry): LoadResult {
  const { parsed, errors } = parseRecipeFile(file, source);
  if (!parsed) return { recipe: null, errors, tool: null, lineOf: null };
  const data = parsed.data as Partial<Record<string, unknown>>;
  const tool = typeof data.tool === 'string' ? data.tool : null;
  const problems = checkRecipeShape(data);
  if (problems.length > 0) {
    const shapeErrors = problems.map((p) => ({
      file,
      line: parsed.lineOf(p.path),
      message: atPath(p.path, p.message),
    }));
    return { recipe: null, errors: shapeErrors.sort((a, b) => a.line - b.line), tool, lineOf: parsed.lineOf };
  }
  return {
    ...compileRecipe(parsed, data as unknown as RecipeDocument, registry),
    tool,
    lineOf: parsed.lineOf,
  };
}
