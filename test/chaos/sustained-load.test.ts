import { afterEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import { livenessBound } from './harness/liveness.js';
import { chaosProfile } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { chaosWorld, type ChaosWorld } from './harness/world.js';

// Sustained load with every process sampling its memory and event-loop delay
// (SWITCHYARD_FAILPOINTS="stats=500"): on SQLite `serve` with 2 worker processes, on PostgreSQL a
// `switchyard gateway` and 2 `switchyard worker` processes. Memory must stay bounded: the last third of
// each process's samples may not have grown past a generous multiple of the first third's.
const profile = chaosProfile();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function sustainedLoad(world: ChaosWorld, label: string) {
  const bound = livenessBound(500);
  const until = Date.now() + profile.sustainMs;
  let i = 0;
  // 8 clients, each calling again as soon as it has its answer, until the time is up.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < until) await world.effectCall(`load-${profile.seed}-${i++}`, 20, bound);
    }),
  );
  const result = await world.check(bound);
  // Under serve its worker processes' lines are in its log; separate processes each have their own.
  const samples = world.controller.procs.flatMap((p) => p.logs.filter((l) => l.msg === 'chaos stats')) as {
    pid: number;
    rss: number;
    loopDelayP99Ms: number;
  }[];
  const growth: Record<string, { firstMB: number; lastMB: number }> = {};
  for (const pid of new Set(samples.map((s) => s.pid))) {
    const mine = samples.filter((s) => s.pid === pid);
    const third = Math.max(1, Math.floor(mine.length / 3));
    const first = median(mine.slice(0, third).map((s) => s.rss)) / 2 ** 20;
    const last = median(mine.slice(-third).map((s) => s.rss)) / 2 ** 20;
    growth[pid] = { firstMB: Math.round(first), lastMB: Math.round(last) };
    expect(last).toBeLessThan(first * 1.5 + 64);
  }
  const loopDelayP99Ms = Math.max(0, ...samples.map((s) => s.loopDelayP99Ms));
  verdict(label, profile, result, {
    durationMs: profile.sustainMs,
    callsPerSecond: Math.round(result.figures.invoked / (profile.sustainMs / 1000)),
    rssMB: growth,
    worstLoopDelayP99Ms: Math.round(loopDelayP99Ms * 10) / 10,
  });
  // One sampling process per gateway and worker.
  expect(Object.keys(growth).length).toBeGreaterThanOrEqual(3);
  expect(result.figures.ok).toBe(result.figures.invoked);
}

describe('chaos: sustained load', () => {
  let world: ChaosWorld | null = null;
  afterEach(async () => {
    await world?.close();
    world = null;
  });

  it('SQLite, serve with 2 workers: memory bounded, event-loop delay sampled', async () => {
    world = await chaosWorld({ env: { SWITCHYARD_FAILPOINTS: 'stats=500' } });
    await world.controller.serve(2);
    await sustainedLoad(world, 'sustained load (sqlite)');
  });

  describe('PostgreSQL', () => {
    const postgres = usePostgres();
    it('gateway + 2 worker processes: memory bounded, event-loop delay sampled', async () => {
      world = await chaosWorld({
        postgresUrl: await postgres().createDatabase(),
        env: { SWITCHYARD_FAILPOINTS: 'stats=500' },
      });
      await world.controller.gateway();
      await world.controller.worker();
      await world.controller.worker();
      await sustainedLoad(world, 'sustained load (postgres)');
    });
  });
});
