import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startSwitchyard, type ServeProcess } from '../helpers/serve-process.js';
import { workerPids } from './reliability-helpers.js';

// `serve` runs its worker processes at a lower CPU priority than the gateway (workers.nice, default 10):
// the gateway's event loop is the one serial stage of every call, and a worker woken on its core would
// otherwise take it over (docs/architecture.md, "Processes and CPU priority").
describe('worker process priority under serve', () => {
  let server: ServeProcess | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('starts worker processes, and the ones it restarts, 10 below the gateway', async () => {
    server = await startSwitchyard({ args: ['--workers', '1'] });
    const gateway = getPriority(server.child.pid);
    // A pid of its own each (getPriority() with none would read this test's own priority).
    expect(workerPids(server)).toHaveLength(1);
    const [first] = workerPids(server);
    expect(getPriority(first)).toBe(Math.min(19, gateway + 10));

    process.kill(first!, 'SIGKILL');
    const restarted = await eventually(async () => workerPids(server!).find((pid) => pid !== first));
    expect(getPriority(restarted)).toBe(Math.min(19, gateway + 10));
  });

  it('keeps them at the gateway priority with workers.nice 0', async () => {
    server = await startSwitchyard({ args: ['--workers', '1'], env: { SWITCHYARD_WORKERS_NICE: '0' } });
    expect(workerPids(server)).toHaveLength(1);
    const [worker] = workerPids(server);
    expect(getPriority(worker)).toBe(getPriority(server.child.pid));
  });
});
