import type { BackoffPolicy } from '../core/backoff.js';
import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * A compiled recipe: the validated, normalised form of one recipe YAML file. Expressions are still
 * source text here (`${ ... }` strings inside `Template` values); `expression.ts` evaluates them.
 *
 * A Template is any JSON value in which strings may hold `${ ... }` expressions:
 * - a string that is exactly one `${ ... }` evaluates to the expression's value (any JSON type);
 * - a string with `${ ... }` inside other text is a template whose parts are joined as text;
 * - `$${` is a literal `${`; an undefined result is `null`.
 */
export type Template = JsonValue;

export interface Recipe {
  tool: string;
  title: string | null;
  description: string;
  annotations: JsonObject | null;
  /** JSON Schema 2020-12 of the arguments. */
  input: JsonObject;
  /** JSON Schema of `data`, or null. */
  outputSchema: JsonObject | null;
  idempotency: RecipeIdempotency | null;
  /** False keeps an atomic recipe internal (callable by `call:` steps only). */
  expose: boolean;
  /** How long the gateway waits for settlement before answering CALL_IN_PROGRESS (ms), or null for the default. */
  waitMs: number | null;
  /** Time allowed from enqueue to settlement (ms), or null for the default. */
  deadlineMs: number | null;
  /** At most this many calls of the tool run at once (per workspace, across all workers), or null. */
  concurrency: number | null;
  steps: Step[];
  /** The mapping that builds `data` when the steps run out without a `return`; null → `null` data. */
  output: Template | null;
  /** Tasks extension: whether a call may (optional), must (required) or never becomes a task. */
  task: TaskSupport;
  /** Client capabilities the tool needs (2026-07-28 per-request), or null. */
  clientCapabilities: JsonObject | null;
  /** Content blocks of a successful result beyond the envelope (scope: input, data, call), or null. */
  content: Template | null;
}

export type TaskSupport = 'optional' | 'required' | 'never';

export interface RecipeIdempotency {
  /** An expression (`${ ... }`) giving the key, or null. */
  key: string | null;
  /** Content-based deduplication: the hash of the canonical arguments within `windowMs`. */
  content: boolean;
  windowMs: number | null;
}

export interface RetryPolicy {
  /** Total tries of the step, including the first. */
  attempts: number;
  backoff: BackoffPolicy;
}

export interface OnErrorRule {
  /** Connector error code this rule matches (`*` for any). */
  code: string;
  /** Either map to a business error… */
  fail?: FailSpec;
  /** …or use this value as the step's output. */
  value?: Template;
}

export interface FailSpec {
  code: string;
  status: number;
  message: Template;
  retrySafe: boolean;
}

interface StepBase {
  /** Required when later steps use the value; key of `steps.<id>`. */
  id: string | null;
  /** Position in the recipe, 0-based; the journal path uses `id` when present, else the index. */
  index: number;
  /** Expression; a skipped step's value is null. */
  when: string | null;
  /** 1-based line of the step in its source file (for messages). */
  line: number | null;
}

export type Step =
  | (StepBase & {
      kind: 'action';
      connector: string;
      action: string;
      connection: string | null;
      with: Template;
      retry: RetryPolicy | null;
      timeoutMs: number | null;
      onError: OnErrorRule[];
      compensate: Compensation | null;
    })
  | (StepBase & {
      kind: 'call';
      recipe: string;
      with: Template;
      timeoutMs: number | null;
      compensate: Compensation | null;
    })
  | (StepBase & { kind: 'return'; value: Template })
  | (StepBase & { kind: 'fail'; fail: FailSpec })
  | (StepBase & {
      kind: 'ask';
      requests: AskRequest[];
      /**
       * One request written directly under `ask:` (its key is the step's id): the step's value is that
       * response. With `requests:` the value is a map of responses by key.
       */
      single: boolean;
      /** How long the call waits in input_required for the answer. */
      ttlMs: number;
    });

/** The default `ttl` of an `ask` step. */
export const DEFAULT_ASK_TTL_MS = 10 * 60_000;

/**
 * One input request of an `ask` step (SEP-2322), by its key in `inputRequests`. `params` is a template
 * of the request's params, evaluated when the step runs; an elicitation's requestedSchema is static.
 */
export type AskRequest =
  | { key: string; method: 'elicitation/create'; message: Template; requestedSchema: JsonObject }
  | { key: string; method: 'sampling/createMessage'; params: Template }
  | { key: string; method: 'roots/list' };

export type StepKindName = Step['kind'];

/**
 * A step's undo (saga style): an action or a sub-recipe that runs when the call fails for good after
 * the step succeeded. Its expressions see the scope of the step it undoes, that step's value included.
 */
export type Compensation =
  Omit<Extract<Step, { kind: 'action' }>, 'compensate'> | Omit<Extract<Step, { kind: 'call' }>, 'compensate'>;

/** One problem found while loading recipes: the file, the 1-based line it points at, and what is wrong. */
export interface RecipeError {
  file: string;
  line: number;
  message: string;
}
