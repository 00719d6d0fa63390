import { afterEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import { livenessBound } from './harness/liveness.js';
import { runLoad } from './harness/mcp-client.js';
import { isChildOf, type Proc } from './harness/processes.js';
import { chaosProfile, seededRandom } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { chaosWorld, pause, type ChaosWorld } from './harness/world.js';

// Random kill -9 of worker processes under load. On SQLite `serve` runs the pool and restarts the dead;
// on PostgreSQL separate `switchyard worker` processes die and the harness starts replacements.
// Every acknowledged call must settle within the liveness bound, each keyed effect applied once.
const profile = chaosProfile();
const SLEEP_MS = 150;

async function killWorkersUnderLoad(world: ChaosWorld, killOne: (random: () => number) => Promise<void>) {
  const random = seededRandom(profile.seed);
  const calls = 40 * profile.load;
  const bound = livenessBound(SLEEP_MS + 500, 3000);
  const load = runLoad(calls, 8, 10, (i) => world.effectCall(`kill-${profile.seed}-${i}`, SLEEP_MS, bound));
  let kills = 0;
  let loadDone = false;
  void load.finally(() => (loadDone = true));
  while (!loadDone && kills < 4 * profile.rounds) {
    await pause(300 + random() * 700);
    if (loadDone) break;
    await killOne(random);
    kills++;
  }
  await load;
  return { result: await world.check(bound), kills };
}

describe('chaos: kill -9 of workers under load', () => {
  let world: ChaosWorld | null = null;
  afterEach(async () => {
    await world?.close();
    world = null;
  });

  it('SQLite, serve with 3 worker processes', async () => {
    world = await chaosWorld({});
    const serve = await world.controller.serve(3);
    const { result, kills } = await killWorkersUnderLoad(world, async (random) => {
      const live = world!.controller.workerPidsOf(serve).filter((pid) => isChildOf(pid, serve.pid));
      const pid = live[Math.floor(random() * live.length)];
      if (pid) process.kill(pid, 'SIGKILL');
    });
    verdict('worker kill -9 (sqlite)', profile, result, { kills });
    expect(result.figures.ok).toBe(result.figures.invoked);
  });

  describe('PostgreSQL', () => {
    const postgres = usePostgres();
    it('gateway + 3 worker processes, killed and replaced', async () => {
      world = await chaosWorld({ postgresUrl: await postgres().createDatabase() });
      await world.controller.gateway();
      const workers: Proc[] = [];
      for (let i = 0; i < 3; i++) workers.push(await world.controller.worker());
      const { result, kills } = await killWorkersUnderLoad(world, async (random) => {
        const i = Math.floor(random() * workers.length);
        await world!.controller.kill9(workers[i]!);
        workers[i] = await world!.controller.worker();
      });
      verdict('worker kill -9 (postgres)', profile, result, { kills });
      expect(result.figures.ok).toBe(result.figures.invoked);
    });
  });
});
