// `npm run bench:compare -- [REF]`: this checkout against another commit (default HEAD), same load, same
// run. Builds REF in a temporary git worktree (sharing this checkout's node_modules), starts `serve` from
// both and the bare SDK server, then drives all three in alternating rounds: sequential blocks of 50
// calls (p50) and autocannon at each concurrency (req/s). Prints each and this checkout's ratios to REF.
// For judging a change on a shared, noisy machine, where two separate runs of `npm run bench` can differ
// by more than the change does. Knobs as for `npm run bench` (BENCH_SECONDS, BENCH_ROUNDS,
// BENCH_CONCURRENCY, BENCH_WORKERS, BENCH_SEQUENTIAL).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alternate, check, root, sequential, startBareSdk, startSwitchyard } from './drive.js';

const ref = process.argv[2] ?? 'HEAD';
const durationS = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 4));
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '10,100').split(',').map(Number);
const workers = process.env.BENCH_WORKERS ?? String(Math.max(1, os.availableParallelism() - 1));
const sequentialCount = Number(process.env.BENCH_SEQUENTIAL ?? 2000);

const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'switchyard-compare-'));
const baseline = path.join(scratch, 'baseline');
const children = [];
git('worktree', 'add', '--detach', baseline, commit);
try {
  symlinkSync(path.join(root, 'node_modules'), path.join(baseline, 'node_modules'));
  console.log(`building ${ref} (${commit.slice(0, 12)}) in ${baseline}`);
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: baseline, stdio: 'inherit' });

  const servers = [
    { name: `base ${commit.slice(0, 7)}`, ...(await startSwitchyard(baseline, options('base'))) },
    { name: 'this checkout', ...(await startSwitchyard(root, options('head'))) },
    { name: 'bare SDK', ...(await startBareSdk()) },
  ];
  children.push(...servers.map((s) => s.child));
  for (const s of servers) await check(s.port);
  const ports = servers.map((s) => s.port);

  console.log(`\n${workers} worker process(es); sequential: ${sequentialCount} calls per server`);
  const seq = await sequential(ports, sequentialCount);
  for (const [i, s] of servers.entries())
    console.log(`  ${s.name.padEnd(16)} p50 ${seq[i].p50.toFixed(3)} ms  p99 ${seq[i].p99.toFixed(3)} ms`);
  console.log(`  this checkout / base: p50 x${(seq[1].p50 / seq[0].p50).toFixed(2)}`);
  for (const c of concurrencies) {
    const r = await alternate(ports, c, { seconds: durationS, rounds });
    console.log(`\nconcurrency ${c}, ${durationS}s per server in ${rounds} alternating rounds:`);
    for (const [i, s] of servers.entries())
      console.log(
        `  ${s.name.padEnd(16)} ${r[i].rps.toFixed(0).padStart(6)} req/s  p50 ${r[i].p50.toFixed(1)} ms`,
      );
    console.log(
      `  this checkout / base: throughput x${(r[1].rps / r[0].rps).toFixed(2)}; this checkout / bare SDK: x${(r[1].rps / r[2].rps).toFixed(2)}`,
    );
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  git('worktree', 'remove', '--force', baseline);
  rmSync(scratch, { recursive: true, force: true });
}

function options(name) {
  return { dataDir: mkdtempSync(path.join(scratch, `data-${name}-`)), workers };
}
