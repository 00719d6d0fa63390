import type { ConnectorRegistry } from '../connectors/registry.js';
import type { ResolvedConnection } from '../connectors/connector.js';
import type { CallRecord, JournalWrite, Store } from '../store/store.js';
import type { Compensation } from '../recipes/recipe.js';
import type { JournalIndex } from './journal-index.js';
import type { RecipeSource, SchemaValidator, Scope, TemplateEvaluator } from './ports.js';

/** The parts a worker runs calls with (the same for every call). */
export interface WorkerParts {
  workerId: string;
  store: Store;
  connectors: ConnectorRegistry;
  /** The named connection with its secrets (vault), or null when none is configured. */
  connection(name: string): Promise<ResolvedConnection | null>;
  recipes: RecipeSource;
  evaluator: TemplateEvaluator;
  validator: SchemaValidator;
  /** Allow-listed environment variables recipes may read as `env.NAME`. */
  env: Record<string, string>;
}

/** Everything one attempt of one call needs while it runs its steps. */
export interface StepContext extends WorkerParts {
  call: CallRecord;
  token: number;
  journal: JournalIndex;
  /**
   * Write-behind journal entries (ends of effect-safe steps, effect-free steps), committed with this
   * attempt's next write: the next step's start or the settlement.
   */
  pending: JournalWrite[];
  /** Undos of the steps that succeeded so far (resumed ones included), in completion order. */
  compensations: PendingCompensation[];
  signal: AbortSignal;
}

/** A finished step's compensation, with the scope it runs in (that step's value included). */
export interface PendingCompensation {
  /** The journal path of the step it undoes. */
  path: string;
  undo: Compensation;
  scope: Scope;
}

/** Takes the write-behind entries to send with the next write. */
export function takePending(ctx: StepContext): JournalWrite[] {
  return ctx.pending.splice(0, ctx.pending.length);
}

export function scopeFor(ctx: StepContext, input: Scope['input'], steps: Scope['steps']): Scope {
  return {
    input,
    steps,
    call: {
      id: ctx.call.id,
      tool: ctx.call.tool,
      attempt: ctx.call.attempt,
      idempotency_key: ctx.call.idempotencyKey,
    },
    env: ctx.env,
  };
}
