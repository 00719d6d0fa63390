import { stringify } from 'yaml';
import type { JsonValue } from '../core/json.js';
import type { CallRecord, JournalEntry } from '../store/store.js';

/**
 * Turns a real call's audit trail into a recipe test case (YAML, one item of a test file's `cases`):
 * its arguments, the last recorded response of each connector step (output, or error), and how the
 * call ended. Sub-recipe steps keep their full paths (`guest/search`), so the case replays them too.
 */
export function recordCase(call: CallRecord, journal: readonly JournalEntry[], name?: string): string {
  const steps: Record<string, JsonValue> = {};
  for (const entry of journal) {
    if (entry.kind !== 'action' && entry.kind !== 'compensate') continue;
    if (entry.kind === 'compensate' && entry.target !== null && !entry.target.includes('.')) continue; // a sub-recipe undo: its own steps are recorded
    if (entry.status === 'succeeded') steps[entry.stepPath] = { output: entry.output };
    else if (entry.status === 'failed' && entry.error)
      steps[entry.stepPath] = {
        error: {
          code: entry.error.code,
          message: entry.error.message,
          retry_safe: entry.error.retrySafe,
          ...(entry.error.status === undefined ? {} : { status: entry.error.status }),
        },
      };
  }
  const expect: Record<string, JsonValue> =
    call.status === 'succeeded'
      ? { data: call.result }
      : { error: { code: call.error?.code ?? 'INTERNAL', retry_safe: call.error?.retrySafe ?? false } };
  const testCase = {
    name: name ?? `${call.tool} as call ${call.id} ran (${call.status})`,
    input: call.args,
    steps,
    expect,
  };
  return stringify([testCase], { lineWidth: 0 });
}
