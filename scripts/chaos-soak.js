// The chaos suite's soak profile (test/chaos/, docs/reliability.md): builds, runs every chaos scenario
// with CHAOS_PROFILE=soak (more calls, more fault rounds, a longer sustained load), then prints one
// table of the figures each scenario saved. CHAOS_SEED replays a run; CHAOS_SUSTAIN_MS sets the
// sustained load's length (default 30 s). Exit status: the suite's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const reports = mkdtempSync(path.join(os.tmpdir(), 'switchyard-chaos-soak-'));
const env = {
  ...process.env,
  CHAOS_PROFILE: 'soak',
  CHAOS_REPORT_DIR: reports,
  CHAOS_SUSTAIN_MS: process.env.CHAOS_SUSTAIN_MS ?? '30000',
};
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;

if (
  run('npx', ['tsc', '-p', 'tsconfig.build.json']) !== 0 ||
  run('npx', ['tsc', '-p', 'sandbox/tsconfig.build.json']) !== 0
)
  process.exit(1);
const started = Date.now();
const status = run('npx', [
  'vitest',
  'run',
  'test/chaos',
  '--testTimeout',
  '600000',
  '--hookTimeout',
  '120000',
]);

const rows = readdirSync(reports)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(reports, f), 'utf8')))
  .sort((a, b) => a.scenario.localeCompare(b.scenario));
const faultsOf = (r) =>
  r.kills ??
  r.fired ??
  (typeof r.faults === 'number' ? r.faults : undefined) ??
  r.terminated ??
  (r.skewMs ? `skew +${r.skewMs} ms` : undefined) ??
  (r.faults ? 'emulator shares' : '-');
console.log(
  `\nChaos soak: ${rows.length} scenarios in ${Math.round((Date.now() - started) / 1000)} s (seed ${rows[0]?.seed ?? '?'})\n`,
);
console.log(
  '| Scenario | Calls | Faults injected | Crash recoveries | Lost | Duplicated | Stale settlements refused | p99 settle (ms) | Violations |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(
    `| ${r.scenario} | ${r.invoked} | ${faultsOf(r)} | ${r.crashRecoveries} | ${r.lost} | ${r.duplicatedCalls + r.duplicatedEffects} | ${r.staleCompletionsRejected} | ${r.settleMs?.p99} | ${r.violations?.length ?? 0} |`,
  );
console.log(`\nFull figures: ${reports}`);
if (!process.env.CHAOS_KEEP_REPORTS && status === 0) rmSync(reports, { recursive: true, force: true });
process.exit(status);
