import { describe, expect } from 'vitest';
import { CHAOS_LIMITS, livenessBound } from './harness/liveness.js';
import { runLoad } from './harness/mcp-client.js';
import { onEachBackend } from './harness/each-backend.js';
import { chaosProfile } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { type ChaosWorld } from './harness/world.js';

// One worker's clock runs ahead by twice the lease (SWITCHYARD_FAILPOINTS="clock-skew=+MS" shifts its
// Date.now()). On SQLite every process judges leases by its own clock: the skewed worker sees healthy
// leases as expired and takes their calls (counted as crash recoveries); fencing keeps that safe (the
// holder's late writes are refused), keyed effects stay single. On PostgreSQL leases use the database's
// clock: the skew takes nothing.
const profile = chaosProfile();
const SKEW_MS = CHAOS_LIMITS.leaseMs * 2;

async function skewedWorker(world: ChaosWorld, label: string) {
  await world.controller.gateway();
  await world.controller.worker();
  await world.controller.worker({ SWITCHYARD_FAILPOINTS: `clock-skew=+${SKEW_MS}` });
  const bound = livenessBound(1000, SKEW_MS);
  await runLoad(30 * profile.load, 6, 20, (i) => world.effectCall(`skew-${profile.seed}-${i}`, 600, bound));
  const result = await world.check(bound);
  verdict(label, profile, result, { skewMs: SKEW_MS });
  return result;
}

describe('chaos: a worker with a skewed clock', () => {
  onEachBackend(
    {
      sqlite: 'leases judged by each process clock — early steals, fenced',
      postgres: 'leases judged by the database clock — no steals',
    },
    async (world, backend) => {
      const result = await skewedWorker(world, `clock skew +2 leases (${backend})`);
      if (backend === 'postgres') {
        expect(result.figures.crashRecoveries).toBe(0);
        expect(result.figures.ok).toBe(result.figures.invoked);
      }
    },
  );
});
