import { afterEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import { WORKER_PROCESSES_ONLY_ENV } from '../helpers/serve-process.js';
import { CHAOS_LIMITS, livenessBound } from './harness/liveness.js';
import { callWithRetries } from './harness/mcp-client.js';
import type { Proc } from './harness/processes.js';
import { chaosProfile } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { readAudit } from './harness/store-audit.js';
import { chaosWorld, pause, type ChaosWorld } from './harness/world.js';

// A poison call: every worker that claims it crashes (failpoint after-claim-before-first-step, tagged
// with its tool). Past limits.max_crashes it is dead-lettered, while the other calls flow meanwhile.
// On SQLite `serve` restarts its dead worker processes; on PostgreSQL separate `switchyard worker`
// processes die and the harness starts replacements.
const profile = chaosProfile();
const MAX_CRASHES = 2;
const ENV = {
  SWITCHYARD_LIMITS_MAX_CRASHES: String(MAX_CRASHES),
  SWITCHYARD_FAILPOINTS: 'after-claim-before-first-step/chaos_poison=crash',
};

async function poisonAmongHealthy(world: ChaosWorld, label: string, extra: () => Record<string, unknown>) {
  const bound = livenessBound(600, 10_000, 4, { ...CHAOS_LIMITS, maxCrashes: MAX_CRASHES });
  // The healthy load starts first and runs until the poison has ended, so every crash of the poison
  // takes healthy calls down with it (bystanders: a crash counted each time).
  let poisonDone = false;
  let i = 0;
  const load = Promise.all(
    Array.from({ length: 4 }, async () => {
      while (!poisonDone || i < 30 * profile.load) {
        await world.effectCall(`healthy-${profile.seed}-${i++}`, 100, bound);
        await pause(50);
      }
    }),
  );
  await pause(300);
  const op = await callWithRetries(
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
  poisonDone = true;
  await load;
  const result = await world.check(bound);
  // Calls that shared a worker process with the poison when it crashed have a crash counted too; at
  // the limit they run alone (crash isolation) and succeed, so none is dead-lettered with it.
  const bystanders = world.history.ops.filter(
    (o) => o.tool === 'chaos_effect' && o.errorCode === 'DEAD_LETTERED',
  );
  const audit = await readAudit(world.backend);
  const poisonCall = audit.calls.find((c) => c.idempotencyKey === `poison-${profile.seed}`);
  const healthyCalls = audit.calls.filter((c) => c.tool === 'chaos_effect');
  const bystanderCrashes = healthyCalls.reduce((n, c) => n + c.crashCount, 0);
  verdict(label, profile, result, {
    poisonOutcome: op.errorCode,
    poisonCrashes: poisonCall?.crashCount,
    // Crashes counted on healthy calls, and healthy calls that reached the limit (and so ran alone).
    bystanderCrashes,
    bystandersAtLimit: healthyCalls.filter((c) => c.crashCount >= MAX_CRASHES).length,
    bystandersDeadLettered: bystanders.length,
    ...extra(),
  });
  expect(op).toMatchObject({ outcome: 'failed', errorCode: 'DEAD_LETTERED' });
  // Dead-lettered after the limit, the last crash its own (running alone), not the backstop's.
  expect(poisonCall?.crashCount).toBe(MAX_CRASHES + 1);
  const healthy = world.history.ops.filter((o) => o.tool === 'chaos_effect');
  expect(bystanders).toEqual([]);
  // The scenario did what it is for: the poison's crashes took healthy calls down with it.
  expect(bystanderCrashes).toBeGreaterThan(0);
  expect(healthy.length).toBeGreaterThan(0);
  expect(healthy.every((o) => o.outcome === 'ok')).toBe(true);
}

describe('chaos: a poison call among healthy ones', () => {
  let world: ChaosWorld | null = null;
  afterEach(async () => {
    await world?.close();
    world = null;
  });

  it('SQLite, serve with 2 workers: the poison ends dead after the crash limit, the rest succeed', async () => {
    world = await chaosWorld({ env: ENV });
    // The poison crashes whichever process runs it: keep it in the worker processes (no eager execution).
    await world.controller.serve(2, WORKER_PROCESSES_ONLY_ENV);
    await poisonAmongHealthy(world, 'poison call (sqlite)', () => ({}));
  });

  describe('PostgreSQL', () => {
    const postgres = usePostgres();
    it('gateway + 2 worker processes, replaced as they die: the poison ends dead, the rest succeed', async () => {
      world = await chaosWorld({ postgresUrl: await postgres().createDatabase(), env: ENV });
      await world.controller.gateway();
      const workers: Proc[] = [await world.controller.worker(), await world.controller.worker()];
      // Every worker that claims the poison dies: start a replacement for each, until the run is over.
      let restarts = 0;
      let done = false;
      const supervisor = (async () => {
        while (!done) {
          await pause(100);
          for (let i = 0; i < workers.length && !done; i++)
            if (!workers[i]!.alive() && restarts < 20 * profile.rounds) {
              workers[i] = await world!.controller.worker();
              restarts++;
            }
        }
      })();
      try {
        await poisonAmongHealthy(world, 'poison call (postgres)', () => ({ restarts }));
      } finally {
        done = true;
        await supervisor;
      }
    });
  });
});
