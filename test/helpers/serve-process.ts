import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const cliPath = path.join(repoRoot, 'bin', 'switchyard.js');
export const fixtureRecipes = path.join(repoRoot, 'test', 'fixtures', 'recipes');

export interface ServeProcess {
  child: ChildProcess;
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  dataDir: string;
  /** Every JSON log line the process printed. */
  logs: Record<string, unknown>[];
  /** Everything the process tree printed so far, stdout and stderr (for secret scans). */
  output(): string;
  /** SIGTERM, wait for exit, remove the data dir. */
  stop(): Promise<void>;
}

/** Short leases so crash recovery runs in seconds in tests. */
export const FAST_RECOVERY_ENV = {
  SWITCHYARD_LIMITS_LEASE: '1500ms',
  SWITCHYARD_LIMITS_HEARTBEAT: '300ms',
  SWITCHYARD_LIMITS_BACKOFF_INITIAL: '50ms',
  SWITCHYARD_LIMITS_DRAIN: '2s',
};

/**
 * Every call runs in a worker process, none in the gateway's (no eager execution, see
 * supervisor/eager-hand-off.ts): for tests that kill the worker process running a call.
 */
export const WORKER_PROCESSES_ONLY_ENV = { SWITCHYARD_WORKERS_EAGER: 'false' };

/** Starts a real `switchyard <command>` process (from dist/, built by the test script) on port 0. */
export async function startSwitchyard(
  options: {
    command?: 'serve' | 'gateway';
    args?: string[];
    env?: Record<string, string>;
    dataDir?: string;
    recipes?: string | null;
  } = {},
): Promise<ServeProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'switchyard-test-'));
  const recipes = options.recipes === undefined ? fixtureRecipes : options.recipes;
  const args = [
    cliPath,
    options.command ?? 'serve',
    '--port',
    '0',
    '--data-dir',
    dataDir,
    ...(recipes ? ['--recipes', recipes] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let printed = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`switchyard did not start: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      printed += `${line}\n`;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry.url === 'string' && String(entry.msg).includes('listening')) {
          clearTimeout(timer);
          resolve(new URL(entry.url).origin);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchyard exited ${code}: ${stderr}`));
    });
  });
  return {
    child,
    url,
    dataDir,
    logs,
    output: () => printed + stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a `switchyard` CLI command to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // 'close', not 'exit': the output pipes may still hold data when the process has exited.
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls `check` until it returns a value (bounded: a liveness wait, not a timing assertion). */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
