import { afterEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import { FaultProxy } from './harness/fault-proxy.js';
import { livenessBound } from './harness/liveness.js';
import { runLoad } from './harness/mcp-client.js';
import { chaosProfile } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { chaosWorld, pause, type ChaosWorld } from './harness/world.js';

// PostgreSQL trouble under load: every process reaches the database through a TCP fault proxy that
// adds latency, resets every connection, and goes half-open (blackhole) for a while; then the server
// itself restarts. Clients retry with their keys; nothing acknowledged may be lost or doubled.
const profile = chaosProfile();
const BLACKHOLE_MS = 2000;
const RESTART_MS = 1000;

describe('chaos: PostgreSQL connections reset, half-open, restarted', () => {
  const postgres = usePostgres();
  let world: ChaosWorld | null = null;
  let proxy: FaultProxy | null = null;
  afterEach(async () => {
    await world?.close();
    await proxy?.close();
    world = null;
    proxy = null;
  });

  it('gateway + 2 workers through the proxy; latency, resets, blackhole, server restart', async () => {
    const direct = new URL(await postgres().createDatabase());
    proxy = new FaultProxy({ host: direct.hostname, port: Number(direct.port) });
    const viaProxy = new URL(direct);
    viaProxy.port = String(await proxy.listen());
    world = await chaosWorld({ postgresUrl: viaProxy.toString() });
    await world.controller.gateway();
    await world.controller.worker();
    await world.controller.worker();
    const bound = livenessBound(600, (BLACKHOLE_MS + RESTART_MS) * 2 * profile.rounds + 10_000);
    let done = false;
    const load = runLoad(60 * profile.load, 6, 40, (i) =>
      world!.effectCall(`pg-${profile.seed}-${i}`, 100, bound),
    );
    void load.finally(() => (done = true));
    const faults: string[] = [];
    for (let round = 0; round < profile.rounds && !done; round++) {
      proxy.latency(40);
      faults.push('latency');
      await pause(800);
      proxy.latency(0);
      proxy.resetAll();
      faults.push('reset');
      await pause(800);
      proxy.blackhole();
      faults.push('blackhole');
      await pause(BLACKHOLE_MS);
      proxy.heal();
      await pause(800);
      proxy.resetAll(); // what a failover does to the connections left half-open
      faults.push('reset');
      await postgres().stop();
      faults.push('restart');
      await pause(RESTART_MS);
      await postgres().start();
      await pause(500);
    }
    await load;
    // The audit reads go straight to the server, not through the proxy.
    world.backend = { kind: 'postgres', url: direct.toString() };
    const result = await world.check(bound);
    verdict('postgres faults via proxy', profile, result, { faults: faults.length, proxy: proxy.stats });
    expect(result.figures.acknowledged).toBeGreaterThan(0);
  });

  // Without a reset, a statement on a half-open connection gets no answer: the pool's query timeout
  // (postgres.query_timeout, 5 s by default) fails it as a store outage and drops the connection, and the
  // gateway answers a retry-safe INTERNAL result. Before that timeout existed calls hung until the
  // client gave up (p50 10 s, p99 20 s; docs/reliability.md).
  it(
    'half-open connections never reset: blackhole, heal, and the load goes on',
    { timeout: 300_000 },
    async () => {
      const direct = new URL(await postgres().createDatabase());
      proxy = new FaultProxy({ host: direct.hostname, port: Number(direct.port) });
      const viaProxy = new URL(direct);
      viaProxy.port = String(await proxy.listen());
      world = await chaosWorld({ postgresUrl: viaProxy.toString() });
      await world.controller.gateway();
      await world.controller.worker();
      await world.controller.worker();
      const bound = livenessBound(600, BLACKHOLE_MS + 10_000);
      const load = runLoad(20 * profile.load, 6, 60, (i) =>
        world!.effectCall(`ho-${profile.seed}-${i}`, 100, bound),
      );
      await pause(700);
      proxy.blackhole();
      await pause(BLACKHOLE_MS);
      proxy.heal();
      await load;
      world.backend = { kind: 'postgres', url: direct.toString() };
      const result = await world.check(bound);
      verdict('postgres half-open, no reset', profile, result, { proxy: proxy.stats });
    },
  );
});
