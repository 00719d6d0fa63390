import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import {
  FAST_RECOVERY_ENV,
  repoRoot,
  runCli,
  startSwitchyard,
  type ServeProcess,
} from '../helpers/serve-process.js';
import { mcpClient, type Envelope } from './reliability-helpers.js';

const recipes = path.join(repoRoot, 'test', 'fixtures', 'recipes');
const cli = path.join(repoRoot, 'bin', 'switchyard.js');

/** A `switchyard worker` process on the database, resolved once it says it started. */
function startWorker(db: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'worker', '--db', db], {
    cwd: repoRoot,
    env: { ...process.env, ...FAST_RECOVERY_ENV },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('switchyard worker started')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
}

// Several "machines" on one PostgreSQL: 2 gateways and 3 workers as separate processes. Calls spread
// over both gateways; mid-load a worker and a gateway are killed with SIGKILL. A client whose gateway
// died retries with the same idempotency key on the other one (what a client does with a lost
// connection). Every call a client was told about completes, exactly once.
describe('many gateways and workers on one PostgreSQL', () => {
  const postgres = usePostgres();
  let db: string;
  const gateways: ServeProcess[] = [];
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    db = await postgres().createDatabase();
    expect((await runCli(['deploy', recipes, '--db', db])).code).toBe(0);
    for (let i = 0; i < 2; i++)
      gateways.push(
        await startSwitchyard({
          command: 'gateway',
          recipes: null,
          args: ['--db', db],
          env: FAST_RECOVERY_ENV,
        }),
      );
    for (let i = 0; i < 3; i++) workers.push(await startWorker(db));
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    for (const g of gateways) await g.stop();
  });

  it('kill -9 of a worker and a gateway mid-load: every acknowledged call completes exactly once', async () => {
    const calls = 30;
    const results = new Map<string, Envelope>();
    async function callOnce(i: number, gateway: ServeProcess): Promise<Envelope> {
      const client = await mcpClient(`${gateway.url}/mcp`, { 'idempotency-key': `load-${i}` });
      try {
        const result = await client.callTool({
          name: 'echo_sleep_echo',
          arguments: { message: `m${i}`, sleep_ms: 400 },
        });
        return result.structuredContent as Envelope;
      } finally {
        await client.close().catch(() => undefined);
      }
    }
    async function call(i: number): Promise<void> {
      let gateway = gateways[i % 2]!;
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          const envelope = await callOnce(i, gateway);
          if (envelope.success) return void results.set(`load-${i}`, envelope);
          expect(envelope.error_code).toBe('CALL_IN_PROGRESS'); // retry-safe: attach again
        } catch {
          gateway = gateways[1]!; // the connection failed: the other gateway, same key
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`call ${i} never completed`);
    }
    const load = Array.from({ length: calls }, (_, i) =>
      new Promise((r) => setTimeout(r, i * 40)).then(() => call(i)),
    );
    await new Promise((r) => setTimeout(r, 500));
    workers[0]!.kill('SIGKILL');
    gateways[0]!.child.kill('SIGKILL');
    await Promise.all(load);

    expect(results.size).toBe(calls);
    for (const [key, envelope] of results) {
      const i = key.slice('load-'.length);
      expect(envelope.data).toMatchObject({ summary: `m${i} / slept 400 ms / m${i}` });
    }
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      const rows = (
        await client.query<{ idempotency_key: string; status: string; succeeded: string }>(
          `SELECT c.idempotency_key, c.status,
             (SELECT count(*) FROM attempts a WHERE a.call_id = c.id AND a.outcome = 'succeeded') AS succeeded
           FROM calls c`,
        )
      ).rows;
      // One call per key (no duplicate from a retried request), each settled once.
      expect(rows).toHaveLength(calls);
      expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(calls);
      for (const row of rows) expect(row).toMatchObject({ status: 'succeeded', succeeded: '1' });
      const firsts = (
        await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM journal WHERE step_path = 'first' AND status = 'succeeded'`,
        )
      ).rows[0]!;
      expect(Number(firsts.n)).toBe(calls);
    } finally {
      await client.end();
    }
  });
});
