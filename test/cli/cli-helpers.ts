import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { cliPath, repoRoot, runCli } from '../helpers/serve-process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Commander's hint after a usage error; allowed as a second line. */
export const HELP_HINT = '(run with --help for usage)';

/**
 * Runs the real `switchyard` binary (dist/, via bin/switchyard.js) and checks what every command must
 * honour whatever it prints: no stack trace on either stream.
 */
export async function sy(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCli(args, env);
  expectNoStackTrace(result);
  return result;
}

/**
 * Like `sy`, for a command whose failure mode would be to keep running (a server that should refuse to
 * start): the child is killed after `limitMs` and the result has `code: null`.
 */
export function syBounded(args: string[], limitMs = 20_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, timeout: limitMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('close', (code) => {
      const result = { code, stdout, stderr };
      expectNoStackTrace(result);
      resolve(result);
    });
  });
}

const STACK_FRAME = /^\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;

export function expectNoStackTrace(result: CliResult): void {
  expect(result.stdout, 'stdout has a stack trace').not.toMatch(STACK_FRAME);
  expect(result.stderr, 'stderr has a stack trace').not.toMatch(STACK_FRAME);
  expect(result.stderr).not.toMatch(/\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/);
  expect(result.stderr).not.toContain('node:internal');
}

/** A failure a user can read: non-zero exit, one line on stderr (plus commander's hint), nothing on stdout. */
export function expectOneLineError(result: CliResult, pattern?: RegExp): string {
  expect(result.code, `expected a non-zero exit:\n${result.stdout}${result.stderr}`).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trimEnd().split('\n');
  if (lines.length === 2) expect(lines[1]).toBe(HELP_HINT);
  expect(lines.length, `stderr:\n${result.stderr}`).toBeLessThanOrEqual(2);
  const line = lines[0] ?? '';
  expect(line).toMatch(/^(error: |switchyard: )\S/);
  if (pattern) expect(line).toMatch(pattern);
  expect(result.stdout).toBe('');
  return line;
}

/** Temporary folders, all removed by `cleanup()` (call it in afterEach). */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix = 'switchyard-cli-'): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound once by the OS, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The structuredContent envelope `switchyard call` prints on stdout. */
export function envelope(result: CliResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`call did not print JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}
