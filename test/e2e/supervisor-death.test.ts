import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startSwitchyard, type ServeProcess } from '../helpers/serve-process.js';
import { workerPids } from './reliability-helpers.js';

// A worker process under `serve` settles through its supervisor. If the supervisor dies (kill -9),
// its workers must drain and exit, whenever that happens: an orphan would keep claiming calls whose
// settlements go nowhere, heartbeating their leases so that no other worker could ever take them over.
describe('worker processes of a supervisor killed with SIGKILL', () => {
  let server: ServeProcess | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  /** Running, not exited (an orphan that exited may stay a zombie until init reaps it). */
  const running = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };

  it('exit when it dies while they are still starting', async () => {
    server = await startSwitchyard({ args: ['--workers', '2'] });
    const pids = workerPids(server);
    expect(pids).toHaveLength(2);
    // At once: "listening" comes a second or so before the workers' own "started" (they are still loading).
    server.child.kill('SIGKILL');
    await eventually(async () => pids.every((pid) => !running(pid)));
  });

  it('exit when it dies once they run', async () => {
    server = await startSwitchyard({ args: ['--workers', '2'] });
    const pids = workerPids(server);
    await eventually(
      async () => server!.logs.filter((l) => l.msg === 'switchyard worker started').length === 2,
    );
    server.child.kill('SIGKILL');
    await eventually(async () => pids.every((pid) => !running(pid)));
  });
});
