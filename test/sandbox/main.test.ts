import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../sandbox/src/shared/credentials.js';
import { DEFAULT_DATA_DIR, parseSandboxArgs, startSandbox, UsageError } from '../../sandbox/src/main.js';
import { sendJson, tempDir } from './emulator-http.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const mainJs = path.join(root, 'dist', 'sandbox', 'main.js');
// The child-process tests run the build (`npx tsc -p sandbox/tsconfig.build.json`; `npm test` builds first).
const hasBuild = existsSync(mainJs);
const stripeAuth = { authorization: `Bearer ${SANDBOX_CREDENTIALS.stripe.secretKey}` };

describe('sandbox CLI flags', () => {
  it('defaults to ./.switchyard/sandbox, fast latency and ephemeral ports', () => {
    expect(parseSandboxArgs([])).toEqual({
      dataDir: DEFAULT_DATA_DIR,
      latency: 'fast',
      ports: { salesforce: 0, stripe: 0, twilio: 0 },
    });
  });

  it('reads every flag', () => {
    expect(
      parseSandboxArgs([
        '--data-dir',
        '/tmp/dewy',
        '--latency',
        'realistic',
        '--salesforce-port',
        '7001',
        '--stripe-port=7002',
        '--twilio-port',
        '7003',
        '--token-ttl',
        '60000',
      ]),
    ).toEqual({
      dataDir: '/tmp/dewy',
      latency: 'realistic',
      ports: { salesforce: 7001, stripe: 7002, twilio: 7003 },
      tokenTtlMs: 60000,
    });
    expect(parseSandboxArgs(['--help'])).toBeNull();
  });

  it('refuses unknown flags, positionals and bad values with a one-line reason', () => {
    for (const args of [
      ['--bogus'],
      ['extra'],
      ['--latency', 'slow'],
      ['--stripe-port', '70000'],
      ['--twilio-port', 'x'],
      ['--token-ttl', '0'],
      ['--data-dir'],
    ]) {
      expect(() => parseSandboxArgs(args), args.join(' ')).toThrow(UsageError);
      try {
        parseSandboxArgs(args);
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
      }
    }
  });
});

describe('startSandbox', () => {
  it('starts the three emulators with their state in the data directory, and closes them', async () => {
    const temp = tempDir();
    try {
      const sandbox = await startSandbox({ dataDir: temp.dir, latency: 'fast' });
      expect(sandbox.latency).toBe('fast');
      for (const url of [sandbox.salesforce, sandbox.stripe, sandbox.twilio]) {
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect((await sendJson(`${url}/_sandbox/behaviour`)).body.latencyMs).toEqual([0, 0]);
      }
      const customer = await sendJson(`${sandbox.stripe}/v1/customers`, {
        method: 'POST',
        headers: stripeAuth,
        body: 'email=main%40example.com',
      });
      expect(customer.status).toBe(200);
      await sandbox.close();
      for (const system of ['salesforce', 'stripe', 'twilio'])
        expect(existsSync(path.join(temp.dir, `${system}.sqlite`))).toBe(true);

      const again = await startSandbox({ dataDir: temp.dir, latency: 'realistic' });
      const fetched = await sendJson(`${again.stripe}/v1/customers/${customer.body.id}`, {
        headers: stripeAuth,
      });
      expect(fetched.body.email).toBe('main@example.com');
      expect((await sendJson(`${again.stripe}/_sandbox/behaviour`)).body.latencyMs).toEqual([600, 2000]);
      await again.close();
    } finally {
      temp.remove();
    }
  });
});

function runMain(args: string[]) {
  const child = spawn(process.execPath, [mainJs, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => stdout.includes('\n') && resolve(stdout.split('\n')[0] as string));
    void exited.then(() => reject(new Error(`exited before ready: ${stderr}`)));
  });
  firstLine.catch(() => undefined); // awaited only by the tests that expect the ready line
  return { child, exited, firstLine, output: () => ({ stdout, stderr }) };
}

describe.skipIf(!hasBuild)('node dist/sandbox/main.js', () => {
  it('exits 2 with one line on stderr for a bad flag', async () => {
    const run = runMain(['--latency', 'glacial']);
    expect(await run.exited).toBe(2);
    const { stdout, stderr } = run.output();
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^sandbox: --latency must be fast or realistic/);
  });

  it('prints one ready line, serves, and exits 0 on SIGTERM', async () => {
    const temp = tempDir();
    const run = runMain(['--data-dir', temp.dir]);
    try {
      const ready = JSON.parse(await run.firstLine) as Record<string, string>;
      expect(Object.keys(ready)).toEqual(['msg', 'salesforce', 'stripe', 'twilio', 'latency']);
      expect(ready).toMatchObject({ msg: 'sandbox ready', latency: 'fast' });
      const list = await sendJson(`${ready.stripe}/v1/customers`, { headers: stripeAuth });
      expect(list.body.object).toBe('list');
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.output().stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(existsSync(path.join(temp.dir, 'stripe.sqlite'))).toBe(true);
    } finally {
      run.child.kill('SIGKILL');
      temp.remove();
    }
  });
});
