import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_DEPTH_SQL } from '../../src/store/queue-depth.js';
import Database from 'better-sqlite3';
import { eventually, startSwitchyard, type ServeProcess } from '../helpers/serve-process.js';
import { callInBackground, envelopeOf, mcpClient } from '../e2e/reliability-helpers.js';

// `serve` with workers.min 1 / max 3 and one call per worker: a burst grows the pool, and once the
// queue empties (after the short cooldown set here) the pool shrinks back one worker at a time.
describe('autoscaling worker processes on queue depth', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startSwitchyard({
      args: ['--workers', '1'],
      env: {
        SWITCHYARD_WORKERS_MIN: '1',
        SWITCHYARD_WORKERS_MAX: '3',
        SWITCHYARD_WORKERS_CONCURRENCY: '1',
        SWITCHYARD_WORKERS_UTILIZATION: '1',
        SWITCHYARD_WORKERS_SCALE_INTERVAL: '100ms',
        SWITCHYARD_WORKERS_SCALE_UP_COOLDOWN: '0s',
        SWITCHYARD_WORKERS_SCALE_DOWN_COOLDOWN: '500ms',
      },
    });
  });
  afterAll(async () => server?.stop());

  it('grows under a burst, every call completes, then shrinks back to the minimum', async () => {
    const client = await mcpClient(`${server.url}/mcp`);
    const pending = Array.from({ length: 6 }, (_, i) =>
      callInBackground(client, 'echo_sleep_echo', { message: `b${i}`, sleep_ms: 700 }),
    );
    const scaled = () =>
      server.logs.filter((l) => l.msg === 'workers scaled') as unknown as {
        from: number;
        to: number;
        depth: number;
      }[];
    await eventually(async () => scaled().some((e) => e.to === 3));
    for (const { isError } of await Promise.all(pending.map(envelopeOf))) expect(isError).toBe(false);
    await eventually(async () => scaled().at(-1)?.to === 1);
    const downs = scaled().filter((e) => e.to < e.from);
    expect(downs.map((e) => e.from - e.to)).toEqual(downs.map(() => 1));
    await client.close();
  });

  it('the depth the autoscalers read is the one statement the Kubernetes manifests run', () => {
    const db = new Database(path.join(server.dataDir, 'switchyard.db'), { readonly: true });
    const row = db.prepare(QUEUE_DEPTH_SQL).pluck().get() as number;
    const byHand = db
      .prepare(
        "SELECT count(*) FROM calls WHERE status = 'queued' OR status = 'running' OR status = 'retry_wait'",
      )
      .pluck()
      .get() as number;
    db.close();
    expect(row).toBe(byHand);
  });
});
