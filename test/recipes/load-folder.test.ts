import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { sha256 } from '../../src/core/ids.js';
import { loadRecipeFolder } from '../../src/recipes/load-folder.js';
import { dewyRegistry, utilRegistry } from './helpers.js';

const fixtures = path.resolve(import.meta.dirname, '..', 'fixtures');
const dirs: string[] = [];

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'recipes-'));
  dirs.push(dir);
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(dir, name), source);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function recipe(tool: string, steps = '  - action: util.echo\n'): string {
  return `tool: ${tool}\ndescription: ${tool} for tests.\ninput: { type: object }\nsteps:\n${steps}`;
}

describe('loadRecipeFolder', () => {
  it('loads the util fixture pack', async () => {
    const dir = path.join(fixtures, 'recipes');
    const { recipes, errors } = await loadRecipeFolder(dir, utilRegistry);
    expect(errors).toEqual([]);
    expect(recipes.map((r) => r.file)).toEqual(['echo.yaml', 'echo_sleep_echo.yaml']); // code-unit order
    const [echo, ese] = recipes;
    expect(echo?.digest).toBe(sha256(readFileSync(path.join(dir, 'echo.yaml'), 'utf8')));
    expect(
      ese?.recipe.steps.map((s) => [s.id, s.kind === 'action' ? `${s.connector}.${s.action}` : s.kind]),
    ).toEqual([
      ['first', 'util.echo'],
      ['nap', 'util.sleep'],
      ['second', 'util.echo'],
    ]);
    expect(ese?.recipe.steps[1]).toMatchObject({ with: { ms: '${ input.sleep_ms }' } });
  });

  it("compiles DESIGN.md's check_in_guest example", async () => {
    const { recipes, errors } = await loadRecipeFolder(path.join(fixtures, 'recipes-dewy'), dewyRegistry);
    expect(errors).toEqual([]);
    const checkIn = recipes.find((r) => r.recipe.tool === 'check_in_guest')?.recipe;
    expect(checkIn).toMatchObject({
      title: 'Check in guest (requires an existing reservation for today)',
      annotations: { idempotentHint: true, destructiveHint: false, openWorldHint: true },
      idempotency: { key: '${ input.idempotency_token }', content: false, windowMs: null },
      expose: true,
      output: {
        booking: '${ steps.booking.records[0].Name }',
        room_number: '${ steps.booking.records[0].Room__r.Name }',
        status: 'Checked In',
      },
    });
    expect(checkIn?.steps.map((s) => [s.kind, s.id, s.line])).toEqual([
      ['call', 'guest', 18],
      ['action', 'booking', 22],
      ['fail', null, 29],
      ['return', null, 31],
      ['action', 'check_in', 35],
    ]);
    expect(checkIn?.steps[2]).toMatchObject({
      when: '${ $count(steps.booking.records) = 0 }',
      fail: {
        code: 'BOOKING_NOT_FOUND',
        status: 404,
        retrySafe: false,
        message: 'No reservation today for ${ input.guest_email }',
      },
    });
    expect(checkIn?.steps[1]).toMatchObject({
      connector: 'salesforce',
      action: 'query',
      connection: 'dewy_salesforce',
    });
    expect(recipes.find((r) => r.recipe.tool === 'search_contact_by_email')?.recipe.expose).toBe(false);
  });

  it('reports a duplicate tool name in the second file', async () => {
    const dir = folder({
      'a.yaml': recipe('same'),
      'b.yml': `# copy\n${recipe('same')}`,
      'notes.txt': 'ignored',
    });
    const { recipes, errors } = await loadRecipeFolder(dir, utilRegistry);
    expect(recipes.map((r) => r.file)).toEqual(['a.yaml']);
    expect(errors).toEqual([
      { file: path.join(dir, 'b.yml'), line: 2, message: 'tool "same" is already declared in a.yaml' },
    ]);
  });

  it('reports call: cycles and calls to missing recipes', async () => {
    const dir = folder({
      'a.yaml': recipe('a', '  - action: util.echo\n  - call: b\n'),
      'b.yaml': recipe('b', '  - call: a\n'),
      'self.yaml': recipe('self', '  - call: self\n'),
      'lost.yaml': recipe('lost', '  - call: nowhere\n'),
    });
    const { errors } = await loadRecipeFolder(dir, utilRegistry);
    expect(errors).toEqual([
      {
        file: path.join(dir, 'lost.yaml'),
        line: 5,
        message: 'steps[0]: calls "nowhere", but no recipe in the folder has that tool name',
      },
      {
        file: path.join(dir, 'a.yaml'),
        line: 6,
        message: 'call cycle: a → b → a (a recipe may not call itself, directly or through others)',
      },
      {
        file: path.join(dir, 'self.yaml'),
        line: 5,
        message: 'call cycle: self → self (a recipe may not call itself, directly or through others)',
      },
    ]);
  });

  it('does not blame a call to a recipe that exists but has errors of its own', async () => {
    const dir = folder({
      'caller.yaml': recipe('caller', '  - call: broken\n'),
      'broken.yaml': recipe('broken', '  - action: util.nope\n'),
    });
    const { errors } = await loadRecipeFolder(dir, utilRegistry);
    expect(errors.map((e) => `${path.basename(e.file)}:${e.line}: ${e.message}`)).toEqual([
      'broken.yaml:5: steps[0].action: unknown action "util.nope" (no connector offers it)',
    ]);
  });

  it('reads symlinked files, skips dot files and sub-folders', async () => {
    const dir = folder({ '.hidden.yaml': 'not: [valid' });
    const data = path.join(dir, '..data');
    mkdirSync(data);
    writeFileSync(path.join(data, 'echo.yaml'), recipe('echo'));
    symlinkSync(path.join(data, 'echo.yaml'), path.join(dir, 'echo.yaml'));
    mkdirSync(path.join(dir, 'nested.yaml'));
    const { recipes, errors } = await loadRecipeFolder(dir, utilRegistry);
    expect(errors).toEqual([]);
    expect(recipes.map((r) => r.recipe.tool)).toEqual(['echo']);
  });

  it('refuses a folder that does not exist', async () => {
    await expect(
      loadRecipeFolder(path.join(tmpdir(), 'no-such-recipes-folder'), utilRegistry),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
