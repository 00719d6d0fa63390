import { describe, expect } from 'vitest';
import { livenessBound } from './harness/liveness.js';
import { runLoad } from './harness/mcp-client.js';
import type { Proc } from './harness/processes.js';
import { onEachBackend } from './harness/each-backend.js';
import { chaosProfile } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { pause, type ChaosWorld } from './harness/world.js';

// A rolling restart under load: each worker in turn gets SIGTERM (drain: stop claiming, finish or release
// in-flight calls, exit 0) and a replacement starts; then the gateway too. Nothing is lost or doubled.
const profile = chaosProfile();

async function rollingRestart(world: ChaosWorld, label: string) {
  let gateway = await world.controller.gateway();
  await world.controller.gateway();
  const workers: Proc[] = [await world.controller.worker(), await world.controller.worker()];
  const bound = livenessBound(900, 5000);
  let done = false;
  const load = runLoad(40 * profile.load, 8, 30, (i) =>
    world.effectCall(`drain-${profile.seed}-${i}`, 400, bound),
  );
  void load.finally(() => (done = true));
  const exits: (number | string | null)[] = [];
  for (let round = 0; round < profile.rounds * 2 && !done; round++) {
    for (let i = 0; i < workers.length && !done; i++) {
      await pause(400);
      const outcome = await world.controller.terminate(workers[i]!);
      exits.push(outcome.signal ?? outcome.code);
      workers[i] = await world.controller.worker();
    }
    if (done) break;
    const outcome = await world.controller.terminate(gateway);
    exits.push(outcome.signal ?? outcome.code);
    gateway = await world.controller.gateway();
  }
  await load;
  const result = await world.check(bound);
  verdict(label, profile, result, { terminated: exits.length });
  expect(exits.every((e) => e === 0)).toBe(true);
  expect(result.figures.ok).toBe(result.figures.invoked);
}

describe('chaos: SIGTERM drain under load (rolling restart)', () => {
  onEachBackend({ sqlite: '2 gateways, 2 workers', postgres: '2 gateways, 2 workers' }, (world, backend) =>
    rollingRestart(world, `SIGTERM drain, rolling restart (${backend})`),
  );
});
