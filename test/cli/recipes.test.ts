import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureRecipes } from '../helpers/serve-process.js';
import { expectOneLineError, sy, TempDirs } from './cli-helpers.js';

// validate, deploy, and `recipes ls|show|rollback`, against a temp data dir.

interface ReleaseRow {
  id: string;
  active: boolean;
  tools: string[];
}

/** A recipe with two compile errors: line 8 names an unknown action, line 10 reads an unknown step. */
const BROKEN = `tool: broken
title: Broken
description: A recipe with errors, for validate and deploy tests.
input:
  type: object
steps:
  - id: a
    action: util.nope
    with: {}
  - return: \${ steps.zzz.x }
`;

/** Not YAML at all (an unclosed flow sequence). */
const NOT_YAML = 'tool: [unclosed\n';

const ERROR_LINE = /^(.+\.ya?ml):(\d+): (\S.*)$/;

describe('switchyard validate', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  function brokenFolder(): string {
    const dir = temp.make();
    cpSync(path.join(fixtureRecipes, 'echo.yaml'), path.join(dir, 'echo.yaml'));
    writeFileSync(path.join(dir, 'broken.yaml'), BROKEN);
    writeFileSync(path.join(dir, 'syntax.yaml'), NOT_YAML);
    return dir;
  }

  it('on the fixture recipes prints ok and exits 0', async () => {
    const result = await sy(['validate', fixtureRecipes]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('ok: 2 recipes (echo, echo_sleep_echo)');
    expect(result.stderr).toBe('');
  });

  it('prints every error as file:line: message and exits non-zero', async () => {
    const dir = brokenFolder();
    const result = await sy(['validate', dir]);
    expect(result.code).not.toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(ERROR_LINE);
    const broken = path.join(dir, 'broken.yaml');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${escape(broken)}:8: .*util\\.nope`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${escape(broken)}:10: .*zzz`)));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${escape(path.join(dir, 'syntax.yaml'))}:\\d+: `)),
    );
    // the valid file is not reported
    expect(result.stdout).not.toContain('echo.yaml');
    // and one summary line on stderr
    expect(result.stderr.trimEnd().split('\n')).toEqual([`switchyard: ${lines.length} error(s) in ${dir}`]);
  });

  it('--json prints the same findings as JSON', async () => {
    const dir = brokenFolder();
    const result = await sy(['validate', dir, '--json']);
    expect(result.code).not.toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      recipes: string[];
      errors: { file: string; line: number; message: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.recipes).toEqual(['echo']);
    expect(report.errors).toContainEqual(
      expect.objectContaining({ file: path.join(dir, 'broken.yaml'), line: 8 }),
    );

    const ok = await sy(['validate', fixtureRecipes, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, recipes: ['echo', 'echo_sleep_echo'], errors: [] });
  });

  it('an empty folder is valid', async () => {
    const result = await sy(['validate', temp.make()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: 0 recipes/);
  });
});

describe('switchyard deploy and recipes ls|show|rollback', () => {
  const temp = new TempDirs();
  let dataDir = '';
  let store: string[] = [];
  beforeEach(() => {
    dataDir = temp.make();
    store = ['--data-dir', dataDir];
  });
  afterEach(() => temp.cleanup());

  async function releases(): Promise<ReleaseRow[]> {
    const result = await sy(['recipes', 'ls', '--json', ...store]);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as ReleaseRow[];
  }

  async function deploy(dir: string): Promise<string> {
    const result = await sy(['deploy', dir, ...store]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    return result.stdout.trim();
  }

  it('a folder with errors deploys nothing: each error is listed, recipes ls still shows none', async () => {
    const dir = temp.make();
    cpSync(fixtureRecipes, dir, { recursive: true });
    writeFileSync(path.join(dir, 'broken.yaml'), BROKEN);

    const result = await sy(['deploy', dir, ...store]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^switchyard: 2 error\(s\); nothing deployed:?$/);
    for (const line of lines.slice(1)) expect(line).toMatch(ERROR_LINE);
    expect(lines.slice(1)).toHaveLength(2);

    const listed = await sy(['recipes', 'ls', ...store]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^no releases yet/);
    expect(await releases()).toEqual([]);
    expectOneLineError(await sy(['recipes', 'show', 'echo', ...store]), /no active release/);
  });

  it('deploy, ls (active marked), show (the YAML source), unchanged, withdraw by removing a file, rollback', async () => {
    const dir = temp.make();
    cpSync(fixtureRecipes, dir, { recursive: true });

    // first deploy
    const first = await deploy(dir);
    expect(first).toMatch(/^deployed release rel_\w+ \(2 recipes: echo, echo_sleep_echo\)$/);
    const [r1] = await releases();
    expect(r1).toMatchObject({ active: true, tools: ['echo', 'echo_sleep_echo'] });
    expect(first).toContain(r1!.id);

    const ls1 = await sy(['recipes', 'ls', ...store]);
    expect(ls1.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^\\* ${r1!.id}  \\S+  echo, echo_sleep_echo$`)),
    ]);

    // show prints the YAML source as deployed
    const show = await sy(['recipes', 'show', 'echo', ...store]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(readFileSync(path.join(fixtureRecipes, 'echo.yaml'), 'utf8'));
    expect(show.stdout.split('\n')[0]).toMatch(
      new RegExp(`^# echo\\.yaml @ [0-9a-f]{12} \\(release ${r1!.id}\\)$`),
    );
    const showJson = JSON.parse((await sy(['recipes', 'show', 'echo', '--json', ...store])).stdout) as {
      release: string;
      tool: string;
      source: string;
    };
    expect(showJson).toMatchObject({ release: r1!.id, tool: 'echo' });
    expectOneLineError(await sy(['recipes', 'show', 'nope', ...store]), /has no recipe nope/);

    // the same folder again: unchanged, no new release
    const again = await deploy(dir);
    expect(again).toBe(`unchanged: release ${r1!.id} is already active`);
    expect(await releases()).toHaveLength(1);

    // remove a file: the new release withdraws that tool
    rmSync(path.join(dir, 'echo_sleep_echo.yaml'));
    const second = await deploy(dir);
    expect(second).toMatch(/^deployed release rel_\w+ \(1 recipes: echo\)$/);
    const afterWithdraw = await releases();
    expect(afterWithdraw).toHaveLength(2);
    const [r2, old] = afterWithdraw;
    expect(r2).toMatchObject({ active: true, tools: ['echo'] });
    expect(old).toMatchObject({ id: r1!.id, active: false });
    const ls2 = (await sy(['recipes', 'ls', ...store])).stdout.trimEnd().split('\n');
    expect(ls2[0]).toMatch(new RegExp(`^\\* ${r2!.id}  \\S+  echo$`));
    expect(ls2[1]).toMatch(new RegExp(`^  ${r1!.id}  `));
    expectOneLineError(
      await sy(['recipes', 'show', 'echo_sleep_echo', ...store]),
      /has no recipe echo_sleep_echo/,
    );
    // an older release's recipe is still readable by id
    const oldShow = await sy(['recipes', 'show', 'echo_sleep_echo', '--release', r1!.id, ...store]);
    expect(oldShow.code).toBe(0);
    expect(oldShow.stdout).toContain('tool: echo_sleep_echo');

    // rollback: back to the previous release
    const rolledBack = await sy(['recipes', 'rollback', ...store]);
    expect(rolledBack.code).toBe(0);
    expect(rolledBack.stdout.trim()).toBe(`active release is now ${r1!.id}`);
    expect((await releases()).map((r) => [r.id, r.active])).toEqual([
      [r2!.id, false],
      [r1!.id, true],
    ]);
    const ls3 = (await sy(['recipes', 'ls', ...store])).stdout.trimEnd().split('\n');
    expect(ls3[0]).toMatch(new RegExp(`^  ${r2!.id}  `));
    expect(ls3[1]).toMatch(new RegExp(`^\\* ${r1!.id}  \\S+  echo, echo_sleep_echo$`));
    expect((await sy(['recipes', 'show', 'echo_sleep_echo', ...store])).code).toBe(0);

    // nothing older than the first release
    expectOneLineError(await sy(['recipes', 'rollback', ...store]), /no earlier release/);
    // an explicit release id rolls forward too; an unknown one is one line
    const forward = await sy(['recipes', 'rollback', r2!.id, ...store]);
    expect(forward.stdout.trim()).toBe(`active release is now ${r2!.id}`);
    expectOneLineError(await sy(['recipes', 'rollback', 'rel_nope', ...store]), /rel_nope/);
    expect((await releases()).find((r) => r.active)?.id).toBe(r2!.id);
  });

  it('deploy --json reports the release and whether it changed', async () => {
    const dir = temp.make();
    mkdirSync(dir, { recursive: true });
    cpSync(path.join(fixtureRecipes, 'echo.yaml'), path.join(dir, 'echo.yaml'));
    const first = JSON.parse((await sy(['deploy', dir, '--json', ...store])).stdout) as {
      changed: boolean;
      release: { id: string };
    };
    expect(first.changed).toBe(true);
    const second = JSON.parse((await sy(['deploy', dir, '--json', ...store])).stdout) as typeof first;
    expect(second).toMatchObject({ changed: false, release: { id: first.release.id } });
  });

  it('rollback with a single release says there is nothing to roll back to', async () => {
    expectOneLineError(await sy(['recipes', 'rollback', ...store]), /no earlier release/);
    await deploy(fixtureRecipes);
    expectOneLineError(await sy(['recipes', 'rollback', ...store]), /no earlier release/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
