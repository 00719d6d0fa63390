import { atPath, type DocPath } from './doc-path.js';
import { compileRecipe, type ActionRegistry, type CompileResult } from './compile.js';
import { compileDescriptor } from './compile-descriptor.js';
import { DESCRIPTOR_KINDS, descriptorKey, type Descriptor, type DescriptorDocument } from './descriptor.js';
import { parseRecipeFile, type ParsedRecipeFile } from './parse.js';
import { checkDescriptorShape, checkRecipeShape, type RecipeDocument, type ShapeProblem } from './schema.js';

export interface LoadResult extends CompileResult {
  /** The `tool:` the file declares, even when it has errors, so other files' `call:`s are not blamed. */
  tool: string | null;
  /** Line lookup into the file's source, when it parsed. */
  lineOf: ((path: DocPath) => number) | null;
  /** A prompt or resource descriptor, when the file declares one instead of a tool. */
  descriptor?: Descriptor | null;
  /** The descriptor's release key (`prompt:NAME`, …), even when it has errors. */
  descriptorKey?: string | null;
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
  if (tool === null && DESCRIPTOR_KINDS.some((kind) => kind in data)) return loadDescriptor(parsed);
  const problems = checkRecipeShape(data);
  if (problems.length > 0)
    return { recipe: null, errors: shapeErrors(parsed, problems), tool, lineOf: parsed.lineOf };
  return {
    ...compileRecipe(parsed, data as unknown as RecipeDocument, registry),
    tool,
    lineOf: parsed.lineOf,
  };
}

function loadDescriptor(parsed: ParsedRecipeFile): LoadResult {
  const data = parsed.data as Record<string, unknown>;
  const declared = DESCRIPTOR_KINDS.find((kind) => typeof data[kind] === 'string');
  const key = declared ? `${declared}:${String(data[declared])}` : null;
  const base = { recipe: null, tool: null, lineOf: parsed.lineOf, descriptorKey: key };
  const problems = checkDescriptorShape(data);
  if (problems.length > 0) return { ...base, descriptor: null, errors: shapeErrors(parsed, problems) };
  const { descriptor, errors } = compileDescriptor(parsed, data as DescriptorDocument);
  return { ...base, descriptor, descriptorKey: descriptor ? descriptorKey(descriptor) : key, errors };
}

function shapeErrors(parsed: ParsedRecipeFile, problems: ShapeProblem[]) {
  return problems
    .map((p) => ({ file: parsed.file, line: parsed.lineOf(p.path), message: atPath(p.path, p.message) }))
    .sort((a, b) => a.line - b.line);
}
