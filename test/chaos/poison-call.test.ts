import { afterEach, describe, expect, it } from 'vitest';
import { CHAOS_LIMITS, livenessBound } from './harness/liveness.js';
import { callWithRetries, runLoad } from './harness/mcp-client.js';
import { chaosProfile } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { chaosWorld, type ChaosWorld } from './harness/world.js';

// A poison call: every worker that claims it crashes (failpoint after-claim-before-first-step, tagged
// with its tool). Past limits.max_crashes it is dead-lettered, while the other calls flow meanwhile.
const profile = chaosProfile();
const MAX_CRASHES = 2;

describe('chaos: a poison call among healthy ones', () => {
  let world: ChaosWorld | null = null;
  afterEach(async () => {
    await world?.close();
    world = null;
  });

  it('SQLite, serve with 2 workers: the poison ends dead after the crash limit, the rest succeed', async () => {
    world = await chaosWorld({
      env: {
        SWITCHYARD_LIMITS_MAX_CRASHES: String(MAX_CRASHES),
        SWITCHYARD_FAILPOINTS: 'after-claim-before-first-step/chaos_poison=crash',
      },
    });
    await world.controller.serve(2);
    const bound = livenessBound(600, 10_000, 4, { ...CHAOS_LIMITS, maxCrashes: MAX_CRASHES });
    const poison = callWithRetries(
      world.history,
      'chaos_poison',
      { message: 'poison' },
      `poison-${profile.seed}`,
      {
        endpoints: world.endpoints,
        requestTimeoutMs: 60_000,
        budgetMs: bound,
      },
    );
    await runLoad(30 * profile.load, 4, 50, (i) =>
      world!.effectCall(`healthy-${profile.seed}-${i}`, 100, bound),
    );
    const op = await poison;
    const result = await world.check(bound);
    // Calls that shared a worker process with the poison when it crashed have a crash counted too; at
    // the limit they run alone (crash isolation) and succeed, so none is dead-lettered with it.
    const bystanders = world.history.ops.filter(
      (o) => o.tool === 'chaos_effect' && o.errorCode === 'DEAD_LETTERED',
    );
    verdict('poison call (sqlite)', profile, result, {
      poisonOutcome: op.errorCode,
      bystandersDeadLettered: bystanders.length,
    });
    expect(op).toMatchObject({ outcome: 'failed', errorCode: 'DEAD_LETTERED' });
    const healthy = world.history.ops.filter((o) => o.tool === 'chaos_effect');
    expect(bystanders).toEqual([]);
    expect(healthy.length).toBeGreaterThan(0);
    expect(healthy.every((o) => o.outcome === 'ok')).toBe(true);
  });
});
