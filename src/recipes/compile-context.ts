import { parseDuration } from '../core/duration.js';
import type { JsonValue } from '../core/json.js';
import { atPath, type DocPath } from './doc-path.js';
import { compileTemplate, ExpressionError } from './expression.js';
import type { RecipeError, Template } from './recipe.js';
import { isSingleExpression, splitTemplate } from './template-syntax.js';

/**
 * Collects the compile errors of one recipe file, each with its line, and holds the checks every part
 * of a recipe shares: templates (they parse, and read only steps that ran before), conditions and
 * durations. Checks record problems and carry on, so one run reports every problem in the file.
 */
export class CompileContext {
  readonly errors: RecipeError[] = [];

  constructor(
    readonly file: string,
    readonly lineOf: (path: DocPath) => number,
    /** Every step id in the recipe, to tell "runs later" from "does not exist". */
    readonly allIds: ReadonlySet<string>,
  ) {}

  error(path: DocPath, message: string): void {
    this.errors.push({ file: this.file, line: this.lineOf(path), message: atPath(path, message) });
  }

  /** Checks a template whose expressions may read `steps.<id>` for the ids in `visible` only. */
  template(value: JsonValue | undefined, path: DocPath, visible: ReadonlySet<string>): Template {
    if (value === undefined) return null;
    let compiled;
    try {
      compiled = compileTemplate(value);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      this.error([...path, ...error.path], error.message);
      return value;
    }
    for (const { path: inner, expression } of compiled.expressions) {
      for (const ref of expression.stepRefs) {
        if (visible.has(ref)) continue;
        this.error(
          [...path, ...inner],
          this.allIds.has(ref)
            ? `reads steps.${ref}, which has not run yet at this point`
            : `reads steps.${ref}, but no step has the id "${ref}"`,
        );
      }
    }
    return value;
  }

  /** A string that must be exactly one `${ ... }` (when:, a whole-value with:); returns it, or null. */
  expression(value: string, path: DocPath, visible: ReadonlySet<string>, problem: string): string | null {
    const before = this.errors.length;
    this.template(value, path, visible);
    if (this.errors.length > before) return null;
    if (isSingleExpression(splitTemplate(value))) return value;
    this.error(path, problem);
    return null;
  }

  /** `when:` as the evaluator takes it: an expression string; a YAML boolean becomes `${ true }`. */
  condition(value: string | boolean | undefined, path: DocPath, visible: ReadonlySet<string>): string | null {
    if (value === undefined) return null;
    if (typeof value === 'boolean') return `\${ ${String(value)} }`;
    return this.expression(value, path, visible, 'must be exactly one expression, ${ ... }');
  }

  duration(value: string | number | undefined, path: DocPath): number | null {
    if (value === undefined) return null;
    const ms = parseDuration(value);
    if (ms === null)
      this.error(path, `"${String(value)}" is not a duration (500ms, 50s, 2m, 24h, 7d or milliseconds)`);
    return ms;
  }
}
