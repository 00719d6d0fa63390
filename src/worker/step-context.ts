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
  /** The attempt's write-behind journal write in flight, if any (see `journalWritten`). */
  inFlight: InFlightJournal;
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

/** Shared by reference, so a copy of the context (compensation's) orders its writes with the original's. */
export interface InFlightJournal {
  last: Promise<void>;
}

/**
 * Sends the write-behind entries now, on their own (a step still running when its turn ends), after the
 * attempt's previous such write. Fire and forget: a lost write costs a harmless re-run, never an effect.
 */
export function appendPending(ctx: StepContext): void {
  const writes = takePending(ctx);
  const previous = ctx.inFlight.last;
  ctx.inFlight.last = previous
    .then(() => ctx.store.appendJournal(ctx.call.id, ctx.token, writes))
    .then(
      () => undefined,
      () => undefined,
    );
}

/**
 * Settles once the attempt's write-behind journal write in flight, if any, is done. Every later write of
 * the attempt waits for it: the store is otherwise free to apply two writes in another order (a
 * PostgreSQL pool runs them on separate connections; under `serve` a worker process's journal goes to its
 * own store and its settlement to the supervisor's), and a step's end applied before its start, or a
 * settlement before the entries written ahead of it, would lose those entries (their fence no longer
 * holds once the call settled).
 */
export function journalWritten(ctx: StepContext): Promise<void> {
  return ctx.inFlight.last;
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
