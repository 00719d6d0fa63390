import { expect } from 'vitest';
import type { CheckResult } from './checker.js';
import { saveFigures, type Profile } from './profile.js';

/**
 * Prints a scenario's figures (with the seed that replays it), saves them for the soak report, and
 * asserts the invariants: the violations list must be empty.
 */
export function verdict(
  scenario: string,
  profile: Profile,
  result: CheckResult,
  extra: Record<string, unknown> = {},
): void {
  const line = { scenario, profile: profile.name, seed: profile.seed, ...result.figures, ...extra };
  console.log(`[chaos] ${JSON.stringify(line)}`);
  saveFigures(scenario, {
    profile: profile.name,
    seed: profile.seed,
    ...result.figures,
    ...extra,
    violations: result.violations,
  });
  expect(result.violations, `${scenario} (CHAOS_SEED=${profile.seed})`).toEqual([]);
}
