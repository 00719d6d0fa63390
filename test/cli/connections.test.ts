import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../helpers/serve-process.js';

const SECRET = 'pw-that-must-never-show-4f2a';

function runWithStdin(
  args: string[],
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'switchyard.js'), ...args], {
      cwd: repoRoot,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('switchyard connections', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-connections-'));
  const data = ['--data-dir', dir];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('set (secrets from stdin, a file, the environment), ls and rm never print a secret', async () => {
    const fromStdin = await runWithStdin(
      ['connections', 'set', 'db', '--connector', 'sql', '--set', 'url=sqlite::memory:', ...data],
      '',
    );
    expect(fromStdin).toMatchObject({ code: 0 });
    expect(fromStdin.stdout).toMatch(/connection db \(sql\) saved with secrets: none/);

    const secretsFile = path.join(dir, 'secrets.json');
    writeFileSync(secretsFile, JSON.stringify({ password: SECRET }));
    const bad = await runCli([
      'connections',
      'set',
      'db2',
      '--connector',
      'sql',
      '--set',
      'url=sqlite::memory:',
      '--secrets-file',
      secretsFile,
      ...data,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/connector sql has no secret "password"/);
    expect(bad.stderr + bad.stdout).not.toContain(SECRET);

    const env = await runCli([
      'connections',
      'set',
      'db3',
      '--connector',
      'sql',
      '--set',
      'url=sqlite::memory:',
      '--secret-env',
      'password=NOT_SET_VAR',
      ...data,
    ]);
    expect(env.code).not.toBe(0);
    expect(env.stderr).toMatch(/NOT_SET_VAR is not set/);

    const ls = await runCli(['connections', 'ls', '--json', ...data]);
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout)).toMatchObject([{ name: 'db', connector: 'sql', secretNames: [] }]);

    expect(await runCli(['connections', 'rm', 'db', ...data])).toMatchObject({ code: 0 });
    expect((await runCli(['connections', 'rm', 'db', ...data])).stderr).toMatch(/no connection db/);
    const key = readFileSync(path.join(dir, 'master.key'), 'utf8');
    expect(key.trim()).toMatch(/^[A-Za-z0-9+/=]{44}$/);
  });

  it('rotate-key writes a new master key and keeps connections readable', async () => {
    const before = readFileSync(path.join(dir, 'master.key'), 'utf8');
    await runWithStdin(
      ['connections', 'set', 'kept', '--connector', 'sql', '--set', 'url=sqlite::memory:', ...data],
      '',
    );
    const rotated = await runCli(['connections', 'rotate-key', ...data]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/re-sealed \d+ values with a new master key/);
    expect(readFileSync(path.join(dir, 'master.key'), 'utf8')).not.toBe(before);
    const ls = await runCli(['connections', 'ls', '--json', ...data]);
    expect(JSON.parse(ls.stdout)).toMatchObject([{ name: 'kept' }]);
  });
});
