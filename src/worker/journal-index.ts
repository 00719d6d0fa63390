import type { JsonValue } from '../core/json.js';
import type { JournalEntry, StepEffect } from '../store/store.js';

/**
 * What earlier attempts of a call left in the journal, per step path:
 * - `done`: the step finished (succeeded or was skipped); its output is reused, the step never re-runs;
 * - `in_doubt`: a worker began the step and never recorded its end (it died inside it);
 * - nothing: the step never ran, or it failed and runs again.
 */
export type PriorStep =
  | { state: 'done'; output: JsonValue | null; skipped: boolean }
  | { state: 'in_doubt'; effect: StepEffect; attempt: number };

export class JournalIndex {
  private readonly byPath = new Map<string, PriorStep>();

  constructor(entries: readonly JournalEntry[]) {
    for (const entry of entries) {
      const prior = this.byPath.get(entry.stepPath);
      if (prior?.state === 'done') continue;
      if (entry.status === 'succeeded' || entry.status === 'skipped') {
        this.byPath.set(entry.stepPath, {
          state: 'done',
          output: entry.output,
          skipped: entry.status === 'skipped',
        });
      } else if (entry.status === 'started') {
        this.byPath.set(entry.stepPath, { state: 'in_doubt', effect: entry.effect, attempt: entry.attempt });
      } else {
        this.byPath.delete(entry.stepPath);
      }
    }
  }

  get(stepPath: string): PriorStep | undefined {
    return this.byPath.get(stepPath);
  }
}
