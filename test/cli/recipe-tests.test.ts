import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestPlatform } from '../helpers/in-process.js';
import { repoRoot, runCli } from '../helpers/serve-process.js';
import { mcpClient, type Envelope } from '../e2e/reliability-helpers.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'recipes-compensate');

describe('switchyard test and calls record', () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), 'switchyard-recipe-tests-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('runs the cases beside the recipes against recorded responses', async () => {
    const result = await runCli(['test', fixtures]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '✓ book_room: a failed confirmation refunds and releases, in reverse order',
    );
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('3 passed, 0 failed');
  });

  it('the Dewy Resort recipes pass their recorded tests', async () => {
    const result = await runCli(['test', path.join(repoRoot, 'examples', 'dewy-resort', 'recipes')]);
    expect(result.stdout).not.toContain('✗');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\d+ passed, 0 failed/);
  });

  it('reports a case that no longer holds: the difference, the path taken, unused recordings', async () => {
    const dir = path.join(temp, 'drifted');
    cpSync(fixtures, dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'tests', 'book_room.yaml'),
      `tool: book_room
cases:
  - name: expects another room
    input: { room: '204' }
    steps:
      hold: { output: { held: '204' } }
      note: { output: { note: n } }
      charge: { output: { charged: 120 } }
      never: { output: 1 }
    expect: { data: { room: '999' } }
  - name: a step without a recording
    input: { room: '204' }
    steps:
      hold: { output: { held: '204' } }
    expect: { error: { code: COMPENSATION_FAILED, message: 'step note (util.echo) ran, but the test case has no recorded response for it' } }
`,
    );
    const result = await runCli(['test', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ book_room: expects another room/);
    expect(result.stdout).toMatch(/expected \{"room":"999"\}\n\s+got\s+\{"room":"204"\}/);
    expect(result.stdout).toMatch(/recorded responses never used .*: never/);
    expect(result.stdout).toMatch(/✓ book_room: a step without a recording/);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });

  it('`calls record` turns a real call into a case that `switchyard test` replays', async () => {
    const t = await startTestPlatform({ recipes: fixtures });
    try {
      const client = await mcpClient(t.mcpUrl);
      const result = await client.callTool({
        name: 'book_room',
        arguments: { room: '301', fail_with: 'no card' },
      });
      const callId = (result.structuredContent as Envelope).call_id!;
      await client.close();
      const recorded = await runCli([
        'calls',
        'record',
        callId,
        '--name',
        'recorded failure',
        '--data-dir',
        t.dataDir,
      ]);
      expect(recorded.code).toBe(0);
      expect(recorded.stdout).toContain('compensate/charge/refund');
      const dir = path.join(temp, 'recorded');
      cpSync(fixtures, dir, { recursive: true, filter: (src) => path.basename(src) !== 'tests' });
      mkdirSync(path.join(dir, 'tests'));
      const cases = recorded.stdout.replace(/^/gm, '  ');
      writeFileSync(path.join(dir, 'tests', 'recorded.yaml'), `tool: book_room\ncases:\n${cases}`);
      const replayed = await runCli(['test', dir]);
      expect(replayed.stdout).toContain('✓ book_room: recorded failure');
      expect(replayed.code).toBe(0);
    } finally {
      await t.stop();
    }
  });
});
