// `npm run bench`: Switchyard (durable: every call committed to SQLite, run by a worker process,
// journaled and settled) against a bare SDK v2 stateless server, same tool, same load, same run.
// Prints requests/s, p50 and p99 for concurrency 1, 10, 100, and the ratios. Ratios, not absolute
// times: machines here are shared and noisy.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alternate, check, root, sequential, startBareSdk, startSwitchyard } from './drive.js';

const durationS = Number(process.env.BENCH_SECONDS ?? 8);
// Each concurrency level runs in rounds that alternate between the two servers, so a noisy moment on
// this shared machine hits both rather than one.
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,10,100').split(',').map(Number);
// serve's default: one worker process per core, less one for the gateway (see src/config/load-config.ts).
const workers = process.env.BENCH_WORKERS ?? String(Math.max(1, os.availableParallelism() - 1));
const synchronous = process.env.SWITCHYARD_SQLITE_SYNCHRONOUS ?? 'NORMAL';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
const children = [];
try {
  const bare = await startBareSdk();
  children.push(bare.child);
  const yard = await startSwitchyard(root, {
    dataDir,
    workers,
    env: { SWITCHYARD_SQLITE_SYNCHRONOUS: synchronous },
  });
  children.push(yard.child);
  await check(bare.port);
  await check(yard.port);

  console.log(
    `Switchyard (SQLite synchronous=${synchronous}, ${workers} worker processes) vs bare SDK v2 stateless server; ${durationS}s per server and level, in ${rounds} alternating rounds`,
  );
  console.log('conc | system     |    req/s |  p50 ms |  p99 ms | errors');
  const rows = [];
  for (const c of concurrencies) {
    const [b, y] = await alternate([bare.port, yard.port], c, { seconds: durationS, rounds });
    for (const [name, r] of [
      ['bare SDK', b],
      ['switchyard', y],
    ]) {
      console.log(
        `${String(c).padStart(4)} | ${name.padEnd(10)} | ${r.rps.toFixed(0).padStart(8)} | ${r.p50.toFixed(1).padStart(7)} | ${r.p99.toFixed(1).padStart(7)} | ${r.errors}`,
      );
    }
    rows.push({ c, throughput: y.rps / b.rps, p50: y.p50 / Math.max(b.p50, 0.001) });
  }
  const sequentialCount = Number(process.env.BENCH_SEQUENTIAL ?? 3000);
  const [bs, ys] = await sequential([bare.port, yard.port], sequentialCount);
  console.log(`\nsequential (concurrency 1, ${sequentialCount} calls, sub-ms timing):`);
  console.log(`  bare SDK    p50 ${bs.p50.toFixed(3)} ms  p99 ${bs.p99.toFixed(3)} ms`);
  console.log(`  switchyard  p50 ${ys.p50.toFixed(3)} ms  p99 ${ys.p99.toFixed(3)} ms`);
  console.log('\nratios (switchyard / bare SDK):');
  for (const r of rows) {
    // At concurrency 1 the p50 ratio comes from the sub-millisecond sequential driver.
    const p50 = r.c === 1 ? ys.p50 / bs.p50 : r.p50;
    console.log(
      `  concurrency ${String(r.c).padStart(3)}: throughput x${r.throughput.toFixed(2)}, p50 x${p50.toFixed(2)}`,
    );
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
}
