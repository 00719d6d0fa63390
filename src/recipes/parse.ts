import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { DocPath } from './doc-path.js';
import type { RecipeError } from './recipe.js';

/** A recipe file parsed to plain data, with a way back from any location to its source line. */
export interface ParsedRecipeFile {
  file: string;
  source: string;
  /** The document as plain JSON-like data (not yet checked against the schema). */
  data: unknown;
  /**
   * The 1-based line of the node at `path`: for a mapping entry the line of its key, for a sequence
   * item the item's first line. A path that does not exist resolves to its nearest existing ancestor.
   */
  lineOf(path: DocPath): number;
}

export type ParseResult = { parsed: ParsedRecipeFile; errors: [] } | { parsed: null; errors: RecipeError[] };

/** Parses one recipe file, keeping source positions. Syntax errors come back with their lines. */
export function parseRecipeFile(file: string, source: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const line = (offset: number) => Math.max(1, lineCounter.linePos(offset).line);
  if (doc.errors.length > 0)
    return {
      parsed: null,
      errors: syntaxErrors(
        file,
        source,
        doc.errors.map((e) => ({ line: line(e.pos[0]), message: e.message })),
      ),
    };
  if (!isMap(doc.contents)) {
    const at = doc.contents?.range?.[0] ?? 0;
    return {
      parsed: null,
      errors: [
        {
          file,
          line: line(at),
          message: 'a recipe file must be a YAML mapping (tool, description, input, steps, …)',
        },
      ],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    return { parsed: null, errors: [{ file, line: 1, message: `YAML: ${(error as Error).message}` }] };
  }
  return { parsed: { file, source, data, lineOf: (path) => line(offsetOf(doc, path)) }, errors: [] };
}

function offsetOf(doc: Document, path: DocPath): number {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/**
 * One error per line (the yaml package often reports a cascade for one mistake), with a hint when the
 * line holds an expression: an unquoted `${ }` with ": ", " #" or inside a flow mapping breaks YAML.
 */
function syntaxErrors(
  file: string,
  source: string,
  faults: Array<{ line: number; message: string }>,
): RecipeError[] {
  const lines = source.split('\n');
  const errors: RecipeError[] = [];
  for (const fault of faults) {
    if (errors.some((e) => e.line === fault.line)) continue;
    const hint = lines[fault.line - 1]?.includes('${')
      ? ' (quote a string holding ${ } when it contains ": ", " #" or sits inside { })'
      : '';
    errors.push({ file, line: fault.line, message: `YAML: ${firstLine(fault.message)}${hint}` });
  }
  return errors;
}

/** The yaml package's messages may add a source excerpt after the first line; the line number says where. */
function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
