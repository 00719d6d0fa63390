import { describe, expect } from 'vitest';
import { livenessBound } from './harness/liveness.js';
import { runLoad } from './harness/mcp-client.js';
import { onEachBackend } from './harness/each-backend.js';
import { chaosProfile } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { pause, type ChaosWorld } from './harness/world.js';

// A gateway killed after it committed the call and before it answered (failpoint
// after-enqueue-before-answer=crash): the client's connection drops without the call id. It retries
// with the same idempotency key on another gateway and must get the one result of the one call.
const profile = chaosProfile();
const SPEC = 'after-enqueue-before-answer=crash@0.3';

async function gatewayCrashes(world: ChaosWorld, label: string) {
  let crashing = await world.controller.gateway({ SWITCHYARD_FAILPOINTS: SPEC });
  await world.controller.gateway();
  await world.controller.worker();
  await world.controller.worker();
  const bound = livenessBound(600, 3000);
  let restarts = 0;
  let done = false;
  const load = runLoad(30 * profile.load, 6, 10, (i) =>
    world.effectCall(`gw-${profile.seed}-${i}`, 50, bound),
  );
  void load.finally(() => (done = true));
  while (!done) {
    await pause(150);
    if (!crashing.alive() && !done && restarts < 5 * profile.rounds) {
      crashing = await world.controller.gateway({ SWITCHYARD_FAILPOINTS: SPEC });
      restarts++;
    }
  }
  await load;
  const result = await world.check(bound);
  const fired = world.controller.failpointsFired().length;
  verdict(label, profile, result, { failpoint: SPEC, fired });
  expect(fired).toBeGreaterThan(0);
  // Every client got its answer, after retries with its key: one call per key, one effect per call.
  expect(result.figures.ok).toBe(result.figures.invoked);
  expect(result.figures.callsInStore).toBe(result.figures.invoked);
  expect(result.figures.retries).toBeGreaterThan(0);
}

describe('chaos: gateway killed after enqueue, before answering', () => {
  onEachBackend({ sqlite: '2 gateways, 2 workers', postgres: '2 gateways, 2 workers' }, (world, backend) =>
    gatewayCrashes(world, `gateway crash after enqueue (${backend})`),
  );
});
