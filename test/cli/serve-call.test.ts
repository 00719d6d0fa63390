import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  FAST_RECOVERY_ENV,
  fixtureRecipes,
  startSwitchyard,
  type ServeProcess,
} from '../helpers/serve-process.js';
import { closedPort, envelope, expectOneLineError, sy, syBounded, TempDirs } from './cli-helpers.js';

// `switchyard serve` as a real process, driven by `switchyard call`, inspected by `calls` and `doctor`.

interface CallRow {
  id: string;
  tool: string;
  status: string;
  idempotencyKey: string | null;
}

describe('serve + call + calls', () => {
  const temp = new TempDirs();
  let server: ServeProcess;
  let mcpUrl = '';
  let store: string[] = [];

  beforeAll(async () => {
    server = await startSwitchyard({
      recipes: fixtureRecipes,
      dataDir: temp.make(),
      // short heartbeat: the worker notices a cancel quickly; short drain: stop() is quick
      env: FAST_RECOVERY_ENV,
    });
    mcpUrl = `${server.url}/mcp`;
    store = ['--data-dir', server.dataDir];
  });
  afterAll(async () => {
    await server?.stop();
    temp.cleanup();
  });

  async function callsJson(...args: string[]): Promise<CallRow[]> {
    const result = await sy(['calls', 'ls', '--json', '--limit', '1000', ...args, ...store]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as CallRow[];
  }

  it('call echo prints the structuredContent envelope with success true', async () => {
    const result = await sy(['call', 'echo', '--args', '{"message":"hi"}', '--url', mcpUrl]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const env = envelope(result);
    expect(env).toEqual({ success: true, data: { message: 'hi' }, call_id: expect.stringMatching(/^call_/) });
  });

  it('call with invalid arguments exits 1 and prints the INVALID_ARGUMENTS envelope', async () => {
    const result = await sy(['call', 'echo', '--args', '{"msg":"hi"}', '--url', mcpUrl]);
    expect(result.code).toBe(1);
    expect(envelope(result)).toMatchObject({
      success: false,
      error_code: 'INVALID_ARGUMENTS',
      retry_safe: false,
      error_message: expect.stringContaining('message'),
    });
  });

  it('call with the same --idempotency-key twice yields the same call_id; other args are refused', async () => {
    const key = `k-${process.pid}-${Date.now()}`;
    const args = ['call', 'echo', '--args', '{"message":"once"}', '--url', mcpUrl, '--idempotency-key', key];
    const first = envelope(await sy(args));
    const second = envelope(await sy(args));
    expect(first).toMatchObject({ success: true, data: { message: 'once' } });
    expect(second.call_id).toBe(first.call_id);
    expect(second).toEqual(first);

    const reused = await sy([
      'call',
      'echo',
      '--args',
      '{"message":"other"}',
      '--url',
      mcpUrl,
      '--idempotency-key',
      key,
    ]);
    expect(reused.code).toBe(1);
    expect(envelope(reused)).toMatchObject({ error_code: 'IDEMPOTENCY_KEY_REUSED', call_id: first.call_id });

    const rows = (await callsJson('--tool', 'echo')).filter((c) => c.idempotencyKey === key);
    expect(rows.map((c) => c.id)).toEqual([first.call_id]);
  });

  it('call of an unknown tool is one line, non-zero exit', async () => {
    expectOneLineError(await sy(['call', 'no_such_tool', '--url', mcpUrl]), /no_such_tool/);
  });

  it('call against an unreachable URL prints one line "cannot reach …" and exits non-zero', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/mcp`;
    const result = await sy(['call', 'echo', '--args', '{"message":"hi"}', '--url', url]);
    const line = expectOneLineError(result);
    expect(line).toMatch(new RegExp(`^switchyard: cannot reach ${url.replace(/\./g, '\\.')}`));
    expect(line).toContain('ECONNREFUSED');
  });

  it('--args that is not JSON: one line, exit 2, nothing sent', async () => {
    const before = (await callsJson()).length;
    const result = await sy(['call', 'echo', '--args', '{message: hi}', '--url', mcpUrl]);
    expectOneLineError(result, /--args is not valid JSON/);
    expect(result.code).toBe(2);
    expect(await callsJson()).toHaveLength(before);
  });

  it('calls ls lists calls; --json is valid JSON; calls show has status, attempts, step timings and result', async () => {
    const made = envelope(await sy(['call', 'echo', '--args', '{"message":"audit me"}', '--url', mcpUrl]));
    const id = String(made.call_id);

    const ls = await sy(['calls', 'ls', ...store]);
    expect(ls.code).toBe(0);
    const line = ls.stdout.split('\n').find((l) => l.startsWith(id));
    expect(line).toMatch(new RegExp(`^${id}\\s+succeeded\\s+echo\\s+\\S+Z\\s+\\d+ ms$`));

    const rows = await callsJson();
    expect(rows.find((c) => c.id === id)).toMatchObject({ tool: 'echo', status: 'succeeded' });
    expect(await callsJson('--status', 'succeeded', '--tool', 'echo')).toContainEqual(
      expect.objectContaining({ id }),
    );
    expect(await callsJson('--status', 'failed')).not.toContainEqual(expect.objectContaining({ id }));

    const show = await sy(['calls', 'show', id, ...store]);
    expect(show.code).toBe(0);
    const out = show.stdout;
    expect(out).toMatch(new RegExp(`^call +${id}$`, 'm'));
    expect(out).toMatch(/^tool +echo \(release rel_\w+\)$/m);
    expect(out).toMatch(/^status +succeeded +attempts 1\b/m);
    expect(out).toMatch(/^attempts:\n +#1 .*succeeded \d+ ms/m);
    expect(out).toMatch(/^steps:\n +\[1\] echoed +util\.echo +succeeded +\d+ ms$/m);
    expect(out).toMatch(/^result +\{"message":"audit me"\}$/m);

    const showJson = JSON.parse((await sy(['calls', 'show', id, '--json', ...store])).stdout) as {
      call: { id: string; status: string; result: unknown };
      attempts: unknown[];
      journal: { stepPath: string; status: string }[];
    };
    expect(showJson.call).toMatchObject({ id, status: 'succeeded', result: { message: 'audit me' } });
    expect(showJson.attempts).toHaveLength(1);
    expect(showJson.journal.map((s) => [s.stepPath, s.status])).toEqual([['echoed', 'succeeded']]);

    expectOneLineError(await sy(['calls', 'show', 'call_nope', ...store]), /no call call_nope/);
  });

  it('calls cancel on a settled call says it already ended, non-zero exit', async () => {
    const made = envelope(await sy(['call', 'echo', '--args', '{"message":"done"}', '--url', mcpUrl]));
    const id = String(made.call_id);
    const result = await sy(['calls', 'cancel', id, ...store]);
    expectOneLineError(result, new RegExp(`call ${id} already ended \\(succeeded\\)`));
    expect((await sy(['calls', 'show', id, ...store])).stdout).toMatch(/^status +succeeded/m);
    expectOneLineError(await sy(['calls', 'cancel', 'call_nope', ...store]), /no call call_nope/);
  });

  it('calls cancel on a running call cancels it; calls show says cancelled; the caller gets CANCELLED', async () => {
    // Long enough that the call is still running whatever the machine's load; the cancel ends it early.
    const message = `long-${Date.now()}`;
    const pending = sy([
      'call',
      'echo_sleep_echo',
      '--args',
      JSON.stringify({ message, sleep_ms: 60_000 }),
      '--url',
      mcpUrl,
    ]);
    const running = await eventually(async () => {
      const rows = await callsJson('--tool', 'echo_sleep_echo', '--status', 'running');
      return rows[0];
    }, 30_000);

    const cancelled = await sy(['calls', 'cancel', running.id, '--reason', 'operator test', ...store]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout.trim()).toBe(`cancelled ${running.id}`);

    const show = await sy(['calls', 'show', running.id, ...store]);
    expect(show.stdout).toMatch(/^status +cancelled\b/m);
    expect(show.stdout).toMatch(/^error +.*"CANCELLED".*operator test/m);

    const answered = await pending;
    expect(answered.code).toBe(1);
    expect(envelope(answered)).toMatchObject({
      success: false,
      error_code: 'CANCELLED',
      error_message: 'operator test',
      call_id: running.id,
    });

    // cancelling again: it has ended
    expectOneLineError(await sy(['calls', 'cancel', running.id, ...store]), /already ended \(cancelled\)/);
  });
});

describe('serve with --db sqlite:/path', () => {
  const temp = new TempDirs();
  let server: ServeProcess | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
    temp.cleanup();
  });

  it('serves from that database and the store commands read it with the same flag', async () => {
    const dir = temp.make();
    const db = ['--db', `sqlite:${path.join(dir, 'custom.db')}`];
    server = await startSwitchyard({ dataDir: temp.make(), args: [...db, '--workers', '0'] });
    const made = envelope(
      await sy(['call', 'echo', '--args', '{"message":"db"}', '--url', `${server.url}/mcp`]),
    );
    const list = await sy(['calls', 'ls', ...db]);
    expect(list.stdout).toContain(String(made.call_id));
    expect((await sy(['recipes', 'ls', ...db])).stdout).toMatch(/^\* rel_\w+ .* echo, echo_sleep_echo$/m);
    expect((await sy(['doctor', ...db])).code).toBe(0);
    // the --data-dir the server was given holds no calls: --db won
    expect((await sy(['calls', 'ls', '--data-dir', server.dataDir])).stdout.trim()).toBe('no calls');
  });
});

describe('serve and SIGTERM', () => {
  const temp = new TempDirs();
  let server: ServeProcess | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
    temp.cleanup();
  });

  // "listening" is the ready line: a SIGTERM sent the moment it is read must drain and exit 0, not hit
  // the default signal action (which would kill the process without closing the store).
  it.each(['0', '2'])(
    '--workers %s: a SIGTERM right after "listening" drains and exits 0',
    async (workers) => {
      for (let i = 0; i < 3; i++) {
        server = await startSwitchyard({ dataDir: temp.make(), args: ['--workers', workers] });
        const { child } = server;
        await server.stop();
        server = null;
        expect({ code: child.exitCode, signal: child.signalCode }).toEqual({ code: 0, signal: null });
      }
    },
  );
});

describe('serve refuses to start on a bad recipes folder', () => {
  const temp = new TempDirs();
  afterEach(() => temp.cleanup());

  const serve = (recipes: string) =>
    syBounded(['serve', '--port', '0', '--workers', '0', '--data-dir', temp.make(), '--recipes', recipes]);

  it('a missing folder: one line, non-zero exit, not left serving', async () => {
    const result = await serve(path.join(temp.make(), 'missing'));
    expectOneLineError(result, /cannot read the recipes folder/);
  });

  it('a folder with errors: each error as file:line: message, non-zero exit, not left serving', async () => {
    const dir = temp.make();
    copyFileSync(path.join(fixtureRecipes, 'echo.yaml'), path.join(dir, 'echo.yaml'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'tool: bad\nsteps:\n  - action: util.nope\n');
    const result = await serve(dir);
    expect(result.code).not.toBeNull();
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toContain('listening');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^switchyard: \d+ error\(s\); nothing deployed/);
    for (const line of lines.slice(1)) expect(line).toMatch(new RegExp(`^${dir}/bad\\.yaml:\\d+: \\S`));
  });
});

describe('switchyard doctor', () => {
  const temp = new TempDirs();
  let server: ServeProcess | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
    temp.cleanup();
  });

  /** A data dir whose database `serve` created (and then stopped). */
  async function servedDataDir(): Promise<string> {
    const dataDir = temp.make();
    server = await startSwitchyard({ dataDir, args: ['--workers', '0'] });
    await server.stop();
    server = null;
    return dataDir;
  }

  it('on a fresh data dir after serve: ok, exit 0', async () => {
    const dataDir = await servedDataDir();
    const result = await sy(['doctor', '--data-dir', dataDir]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`database  sqlite:${path.join(dataDir, 'switchyard.db')}`);
    expect(result.stdout).toMatch(/^pending +none$/m);
    expect(result.stdout).toMatch(/^drift +none$/m);
    expect(lines.at(-1)).toBe('ok');

    const json = JSON.parse((await sy(['doctor', '--json', '--data-dir', dataDir])).stdout) as {
      ok: boolean;
      drift: string[];
      pending: unknown[];
    };
    expect(json).toMatchObject({ ok: true, drift: [], pending: [] });
  });

  it('a dropped column is drift: reported, non-zero exit', async () => {
    const dataDir = await servedDataDir();
    const db = new Database(path.join(dataDir, 'switchyard.db'));
    db.exec('ALTER TABLE calls DROP COLUMN meta');
    db.close();

    const result = await sy(['doctor', '--data-dir', dataDir]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/^drift:\n +- .*calls\.meta/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('NOT OK');
    expect(result.stderr.trim()).toMatch(/^switchyard: .*drift/);

    const json = JSON.parse((await sy(['doctor', '--json', '--data-dir', dataDir])).stdout) as {
      ok: boolean;
      drift: string[];
    };
    expect(json.ok).toBe(false);
    expect(json.drift.join('\n')).toContain('calls.meta');
  });

  it('a deleted schema_migrations row is reported, non-zero exit', async () => {
    const dataDir = await servedDataDir();
    const db = new Database(path.join(dataDir, 'switchyard.db'));
    db.exec('DELETE FROM schema_migrations WHERE version = 1');
    db.close();

    const result = await sy(['doctor', '--data-dir', dataDir]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/^pending +1 \w+/m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('NOT OK');
  });

  it('a changed migration checksum is drift', async () => {
    const dataDir = await servedDataDir();
    const file = path.join(dataDir, 'switchyard.db');
    const db = new Database(file);
    db.exec(`UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1`);
    db.close();

    const result = await sy(['doctor', '--db', `sqlite:${file}`]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/^drift:\n +- migration 1 .*changed/m);
  });

  it('on a data dir with no database says so and creates nothing', async () => {
    const dataDir = path.join(temp.make(), 'nothing-here');
    expectOneLineError(await sy(['doctor', '--data-dir', dataDir]), /no database at/);
    expectOneLineError(
      await sy(['doctor', '--db', `sqlite:${path.join(dataDir, 'x.db')}`]),
      /no database at/,
    );
    expect(existsSync(dataDir)).toBe(false);
  });
});
