import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureRecipes } from '../helpers/serve-process.js';
import { expectOneLineError, sy, TempDirs } from './cli-helpers.js';

// What a user sees from the command line itself: help everywhere, one clear line for a mistake.

const COMMANDS = [
  ['serve'],
  ['gateway'],
  ['worker'],
  ['deploy'],
  ['validate'],
  ['recipes'],
  ['recipes', 'ls'],
  ['recipes', 'show'],
  ['recipes', 'rollback'],
  ['call'],
  ['calls'],
  ['calls', 'ls'],
  ['calls', 'show'],
  ['calls', 'cancel'],
  ['doctor'],
];

/** Commands that open the store, with the arguments they need besides the store flags. */
const STORE_COMMANDS = [
  ['deploy', fixtureRecipes],
  ['recipes', 'ls'],
  ['recipes', 'show', 'echo'],
  ['recipes', 'rollback'],
  ['calls', 'ls'],
  ['calls', 'show', 'call_x'],
  ['calls', 'cancel', 'call_x'],
  ['doctor'],
  ['serve', '--port', '0', '--workers', '0'],
  ['gateway', '--port', '0'],
  ['worker'],
];

describe.concurrent('switchyard --help', () => {
  it('prints the program usage listing every command, exit 0', async () => {
    const result = await sy(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: switchyard /);
    for (const name of [
      'serve',
      'gateway',
      'worker',
      'deploy',
      'validate',
      'recipes',
      'call',
      'calls',
      'doctor',
    ])
      expect(result.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))(
    '%s --help: usage, exit 0',
    async (_name, command) => {
      const result = await sy([...command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^Usage: switchyard ${command.join(' ')} `));
      expect(result.stdout).toContain('--help');
    },
  );

  it('`help <command>` and -h work too', async () => {
    const viaHelp = await sy(['help', 'deploy']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: switchyard deploy /);
    const short = await sy(['calls', 'show', '-h']);
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(/^Usage: switchyard calls show /);
  });

  it('documents the store flags on every store command and --url on call', async () => {
    for (const command of [
      ['serve'],
      ['gateway'],
      ['worker'],
      ['deploy'],
      ['recipes', 'ls'],
      ['recipes', 'show'],
      ['recipes', 'rollback'],
      ['calls', 'ls'],
      ['calls', 'show'],
      ['calls', 'cancel'],
      ['doctor'],
    ]) {
      const { stdout } = await sy([...command, '--help']);
      expect(stdout, command.join(' ')).toContain('--data-dir <dir>');
      expect(stdout, command.join(' ')).toContain('--db <url>');
    }
    const call = await sy(['call', '--help']);
    expect(call.stdout).toContain('--url <url>');
    expect(call.stdout).toContain('--args <json>');
    expect(call.stdout).toContain('--idempotency-key <key>');
  });

  it('--version prints the version, exit 0', async () => {
    const result = await sy(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe.concurrent('mistakes on the command line get one clear line and a non-zero exit', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['bogus'], /unknown command 'bogus'/],
    ['unknown subcommand', ['recipes', 'bogus'], /unknown command 'bogus'/],
    ['unknown calls subcommand', ['calls', 'frobnicate', 'x'], /unknown command 'frobnicate'/],
    ['unknown global flag', ['--bogus'], /unknown option '--bogus'/],
    ['unknown flag on serve', ['serve', '--bogus'], /unknown option '--bogus'/],
    ['unknown flag on a subcommand', ['calls', 'ls', '--bogus'], /unknown option '--bogus'/],
    ['bad port', ['serve', '--port', 'abc'], /--port .*'abc' is invalid/],
    ['port out of range', ['gateway', '--port', '70000'], /--port .*is invalid/],
    ['bad worker count', ['serve', '--workers', '-1'], /--workers .*is invalid/],
    ['bad --limit', ['calls', 'ls', '--limit', 'abc'], /--limit .*'abc' is invalid/],
    ['missing flag value', ['recipes', 'ls', '--data-dir'], /--data-dir .*argument missing/],
    ['missing argument', ['deploy'], /missing required argument 'dir'/],
    ['missing tool', ['call'], /missing required argument 'tool'/],
    ['missing call id', ['calls', 'show'], /missing required argument 'id'/],
    ['too many arguments', ['validate', 'a', 'b'], /too many arguments/],
    ['bad --status', ['calls', 'ls', '--status', 'nope'], /--status must be one of/],
    ['--args not JSON', ['call', 'echo', '--args', '{nope'], /--args is not valid JSON/],
    ['--args not an object', ['call', 'echo', '--args', '[1]'], /--args must be a JSON object/],
    ['--url not a URL', ['call', 'echo', '--url', 'not a url'], /--url is not a URL/],
    ['--url not http', ['call', 'echo', '--url', 'ftp://example.com/mcp'], /--url must be an http/],
    [
      'missing config file',
      ['recipes', 'ls', '--config', '/nonexistent/switchyard.yaml'],
      /config file not found/,
    ],
    ['missing recipes folder', ['validate', '/nonexistent/recipes'], /cannot read the recipes folder/],
  ];

  it.each(cases)('%s', async (_name, args, pattern) => {
    const result = await sy(args);
    expectOneLineError(result, pattern);
  });

  it('usage errors exit 2', async () => {
    expect((await sy(['bogus'])).code).toBe(2);
    expect((await sy(['serve', '--bogus'])).code).toBe(2);
    expect((await sy(['call', 'echo', '--args', 'not json'])).code).toBe(2);
  });
});

describe('store flags', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  it.each(STORE_COMMANDS.map((c) => [c.join(' '), c] as const))(
    '%s --db postgres://unreachable: one line naming the store, password hidden',
    async (_name, command) => {
      const dataDir = temp.make();
      const result = await sy([
        ...command,
        '--data-dir',
        dataDir,
        '--db',
        'postgres://u:secret@db.invalid/x',
      ]);
      expectOneLineError(result, /PostgreSQL store unavailable/);
      expect(result.stderr).not.toContain('secret');
    },
  );

  it('postgresql:// URLs (and from SWITCHYARD_DATABASE_URL) select PostgreSQL the same way', async () => {
    const dataDir = temp.make();
    expectOneLineError(
      await sy(['recipes', 'ls', '--data-dir', dataDir, '--db', 'postgresql://u:secret@db.invalid/x']),
      /PostgreSQL store unavailable/,
    );
    const fromEnv = await sy(['calls', 'ls', '--data-dir', dataDir], {
      SWITCHYARD_DATABASE_URL: 'postgres://db.invalid/x',
    });
    expectOneLineError(fromEnv, /PostgreSQL store unavailable/);
  });

  it('an unknown database scheme is one clear line', async () => {
    const dataDir = temp.make();
    expectOneLineError(
      await sy(['recipes', 'ls', '--data-dir', dataDir, '--db', 'mysql://x']),
      /unsupported database URL/,
    );
  });

  it('--data-dir that is a file is one clear line', async () => {
    const result = await sy(['recipes', 'ls', '--data-dir', path.join(fixtureRecipes, 'echo.yaml')]);
    expectOneLineError(result, /echo\.yaml/);
  });

  it('--data-dir and --db sqlite:/path pick the database every store command uses', async () => {
    const dir = temp.make();
    const dbFile = path.join(dir, 'elsewhere', 'store.db');
    const db = ['--db', `sqlite:${dbFile}`];

    const deployed = await sy(['deploy', fixtureRecipes, ...db]);
    expect(deployed.code).toBe(0);
    expect(existsSync(dbFile)).toBe(true);

    const listed = await sy(['recipes', 'ls', ...db]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^\* rel_\w+ .* echo, echo_sleep_echo$/m);
    expect((await sy(['recipes', 'show', 'echo', ...db])).stdout).toContain('tool: echo');
    expect((await sy(['calls', 'ls', ...db])).stdout.trim()).toBe('no calls');
    expect((await sy(['doctor', ...db])).code).toBe(0);

    // --db wins over --data-dir; a data dir alone means <dir>/switchyard.db, a separate database.
    const otherDir = temp.make();
    expect((await sy(['recipes', 'ls', '--data-dir', otherDir, ...db])).stdout).toMatch(/^\* rel_/m);
    expect((await sy(['recipes', 'ls', '--data-dir', otherDir])).stdout).toMatch(/^no releases yet/);
    expect(existsSync(path.join(otherDir, 'switchyard.db'))).toBe(true);
    expect((await sy(['doctor', '--data-dir', otherDir])).code).toBe(0);
  });
});
