// Runs the whole suite (build first: crash tests start real `switchyard` processes from dist/), then the
// MCP conformance suite (scripts/conformance.js, both protocol revisions), and prints the plain totals
// line `N passed, N failed, N skipped` that CI reads, last. Conformance scenarios count with the tests:
// a passed scenario as passed, an unexpected failure as failed, an expected failure (listed in
// conformance/expected-failures.yaml) as skipped. Conformance is left out when vitest gets arguments
// (`npm test -- test/gateway`: a subset) or SKIP_CONFORMANCE=1 is set (a quick local run).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const results = path.join(root, 'node_modules', '.cache', 'vitest-results.json');
const conformanceResults = path.join(root, 'node_modules', '.cache', 'conformance-results.json');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
const vitestArgs = process.argv.slice(2);
const withConformance =
  vitestArgs.length === 0 && !['1', 'true'].includes(process.env.SKIP_CONFORMANCE ?? '');

if (
  run('npx', ['tsc', '-p', 'tsconfig.build.json']) !== 0 ||
  run('npx', ['tsc', '-p', 'sandbox/tsconfig.build.json']) !== 0
) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
rmSync(results, { force: true });
const status = run('npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile=${results}`,
  ...vitestArgs,
]);
const tests = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  tests.passed = report.numPassedTests ?? 0;
  // Failed tests, plus files that failed without a failed test (they did not load, or a hook threw).
  const brokenFiles = (report.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
  tests.failed = (report.numFailedTests ?? 0) + brokenFiles;
  tests.skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
} else {
  tests.failed = 1;
}
if (status !== 0 && tests.failed === 0) tests.failed = 1;

const conformance = { passed: 0, failed: 0, expected: 0 };
if (withConformance) {
  rmSync(conformanceResults, { force: true });
  console.log('\nMCP conformance (scripts/conformance.js; SKIP_CONFORMANCE=1 leaves it out)');
  const exit = run(process.execPath, [
    'scripts/conformance.js',
    '--no-build',
    '--summary',
    conformanceResults,
  ]);
  if (existsSync(conformanceResults))
    Object.assign(conformance, JSON.parse(readFileSync(conformanceResults, 'utf8')));
  // A run that could not start (no Node 22, no server) or ended on anything unreported is a failure.
  if (exit !== 0 && conformance.failed === 0) conformance.failed = 1;
  console.log(
    `\ntests: ${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped` +
      ` | conformance scenarios: ${conformance.passed} passed, ${conformance.failed} failed,` +
      ` ${conformance.expected} expected failures`,
  );
} else {
  console.log('\n(MCP conformance left out: vitest arguments given or SKIP_CONFORMANCE=1)');
}

const passed = tests.passed + conformance.passed;
const failed = tests.failed + conformance.failed;
const skipped = tests.skipped + conformance.expected;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 ? 0 : 1);
