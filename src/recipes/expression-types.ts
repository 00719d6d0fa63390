import type { JsonValue } from '../core/json.js';

/** Per-evaluation limits of one expression (a template's expressions each get the full budget). */
export interface ExpressionLimits {
  timeoutMs: number;
  /** Nesting depth of JSONata's evaluator: runaway recursion stops here. */
  maxDepth: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = { timeoutMs: 1000, maxDepth: 200 };

/** What expressions see, as the JSONata input document (`input.x`) and as variables (`$input.x`). */
export interface ExpressionScope {
  input: JsonValue;
  steps: Record<string, JsonValue>;
  call: { id: string; tool: string; attempt: number; idempotency_key: string | null };
  env: Record<string, string>;
  /** A settled call's `data`, for templates built from the result (a recipe's `content`). */
  data?: JsonValue;
}

export interface CompiledExpression {
  readonly source: string;
  /** Step ids read as `steps.<id>` (best effort; see step-refs.ts). */
  readonly stepRefs: readonly string[];
  evaluate(scope: ExpressionScope, limits?: ExpressionLimits): Promise<JsonValue>;
}

/** Where each expression of a template sits, for static checks. */
export interface TemplateExpression {
  path: ReadonlyArray<string | number>;
  expression: CompiledExpression;
}

export interface CompiledTemplate {
  readonly expressions: readonly TemplateExpression[];
  evaluate(scope: ExpressionScope, limits?: ExpressionLimits): Promise<JsonValue>;
}

/** A template that does not parse, or an expression that failed; names the expression and where. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
    /** Character offset in the expression (JSONata's), or null. */
    readonly position: number | null,
    /** Where in the template value the string sits (keys and indexes), for line lookups. */
    readonly path: ReadonlyArray<string | number> = [],
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}
