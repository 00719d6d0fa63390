import { afterEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import { CHAOS_LIMITS, livenessBound } from './harness/liveness.js';
import { runLoad } from './harness/mcp-client.js';
import type { Proc } from './harness/processes.js';
import { chaosProfile } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { chaosWorld, pause, type ChaosWorld } from './harness/world.js';

// A worker process with a failpoint set (SWITCHYARD_FAILPOINTS) beside a clean one: it crashes (or
// stalls its event loop past its lease) at a named point of the call path — a crash once per failing
// process (#1), so it fires as soon as that worker runs a call; the harness starts it again,
// failpoint and all, while the load runs. The clean worker recovers what the crashed one held.
const profile = chaosProfile();
const SLEEP_MS = 100;
const POINTS = [
  'after-claim-before-first-step',
  'after-action-before-journal',
  'after-journal-before-settle',
];

async function runWithFailpoint(world: ChaosWorld, spec: string, label: string, quietMs = 0) {
  await world.controller.gateway();
  await world.controller.worker();
  const failing = { proc: (await world.controller.worker({ SWITCHYARD_FAILPOINTS: spec })) as Proc };
  const bound = livenessBound(SLEEP_MS + 500, 3000);
  const calls = 24 * profile.load;
  let restarts = 0;
  let done = false;
  const load = runLoad(calls, 6, 20, (i) =>
    world.effectCall(`${label}-${profile.seed}-${i}`, SLEEP_MS, bound),
  );
  void load.finally(() => (done = true));
  while (!done) {
    await pause(200);
    if (!failing.proc.alive() && !done && restarts < 10 * profile.rounds) {
      failing.proc = await world.controller.worker({ SWITCHYARD_FAILPOINTS: spec });
      restarts++;
    }
  }
  await load;
  // A stalled (zombie) worker wakes up after its stall: let it try its late writes before the check.
  await pause(quietMs);
  const result = await world.check(bound);
  const fired = world.controller.failpointsFired().length;
  verdict(label, profile, result, { failpoint: spec, fired });
  expect(fired).toBeGreaterThan(0);
  expect(result.figures.ok).toBe(result.figures.invoked);
  return result;
}

describe('chaos: failpoints in the call path', () => {
  let world: ChaosWorld | null = null;
  afterEach(async () => {
    await world?.close();
    world = null;
  });

  describe('SQLite', () => {
    it.each(POINTS)('crash at %s', async (point) => {
      world = await chaosWorld({});
      const result = await runWithFailpoint(world, `${point}=crash#1`, `failpoint ${point} crash (sqlite)`);
      expect(result.figures.crashRecoveries).toBeGreaterThan(0);
    });

    it('event loop stalled past the lease before the settlement: the zombie settlement is refused', async () => {
      world = await chaosWorld({});
      const stall = CHAOS_LIMITS.leaseMs * 3;
      const result = await runWithFailpoint(
        world,
        `after-journal-before-settle=stall:${stall}#1`,
        'failpoint after-journal-before-settle stall (sqlite)',
        stall + 1000,
      );
      expect(result.figures.staleCompletionsRejected).toBeGreaterThan(0);
    });
  });

  describe('PostgreSQL', () => {
    const postgres = usePostgres();
    it.each(POINTS)('crash at %s', async (point) => {
      world = await chaosWorld({ postgresUrl: await postgres().createDatabase() });
      const result = await runWithFailpoint(world, `${point}=crash#1`, `failpoint ${point} crash (postgres)`);
      expect(result.figures.crashRecoveries).toBeGreaterThan(0);
    });

    it('event loop stalled past the lease before the settlement: the zombie settlement is refused', async () => {
      world = await chaosWorld({ postgresUrl: await postgres().createDatabase() });
      const result = await runWithFailpoint(
        world,
        `after-journal-before-settle=stall:${CHAOS_LIMITS.leaseMs * 3}#1`,
        'failpoint after-journal-before-settle stall (postgres)',
        CHAOS_LIMITS.leaseMs * 3 + 1000,
      );
      expect(result.figures.staleCompletionsRejected).toBeGreaterThan(0);
    });
  });
});
