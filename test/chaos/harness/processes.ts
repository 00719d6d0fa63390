import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { cliPath, repoRoot, startSwitchyard, type ServeProcess } from '../../helpers/serve-process.js';

/** Where the processes keep their state: one SQLite data dir, or one PostgreSQL database. */
export type Backend = { kind: 'sqlite'; dataDir: string } | { kind: 'postgres'; url: string };

export interface Proc {
  role: 'serve' | 'gateway' | 'worker';
  child: ChildProcess;
  pid: number;
  /** The gateway's base URL (serve, gateway). */
  url: string | null;
  /** Every JSON line it (and, under serve, its worker processes) printed on stdout. */
  logs: Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: string | null }>;
  alive(): boolean;
}

/**
 * Starts and kills `switchyard serve | gateway | worker` processes (node bin/switchyard.js on dist/) on
 * one backend, all with the same flags (`--config`, the store) and environment, plus per-process extras
 * (e.g. SWITCHYARD_FAILPOINTS on one worker only). `serve` and `gateway` start through the shared
 * test helper (test/helpers/serve-process.ts); `stopAll()` SIGKILLs whatever is left.
 */
export class ProcessController {
  readonly procs: Proc[] = [];
  private readonly served: ServeProcess[] = [];

  constructor(
    private readonly options: {
      backend: Backend;
      recipes: string;
      config?: string;
      env?: Record<string, string>;
    },
  ) {}

  private storeArgs(): string[] {
    const b = this.options.backend;
    const store = b.kind === 'sqlite' ? ['--data-dir', b.dataDir] : ['--db', b.url];
    return [...store, ...(this.options.config ? ['--config', this.options.config] : [])];
  }

  async serve(workers: number, env: Record<string, string> = {}): Promise<Proc> {
    return this.viaHelper('serve', ['--workers', String(workers)], env);
  }

  async gateway(env: Record<string, string> = {}): Promise<Proc> {
    return this.viaHelper('gateway', [], env);
  }

  private async viaHelper(role: 'serve' | 'gateway', args: string[], env: Record<string, string>) {
    const b = this.options.backend;
    const served = await startSwitchyard({
      command: role,
      // The data dir is the backend's: the helper must not remove it when the process stops.
      dataDir: b.kind === 'sqlite' ? b.dataDir : undefined,
      recipes: this.options.recipes,
      args: [...(b.kind === 'postgres' ? ['--db', b.url] : []), ...this.configArgs(), ...args],
      env: { ...this.options.env, ...env },
    });
    this.served.push(served);
    return this.track(role, served.child, served.url, served.logs);
  }

  private configArgs(): string[] {
    return this.options.config ? ['--config', this.options.config] : [];
  }

  /** A `switchyard worker` process, resolved once it says it started. */
  async worker(env: Record<string, string> = {}): Promise<Proc> {
    const child = spawn(process.execPath, [cliPath, 'worker', ...this.storeArgs()], {
      cwd: repoRoot,
      env: { ...process.env, ...this.options.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: Record<string, unknown>[] = [];
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
    const proc = this.track('worker', child, null, logs);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 30_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const entry = parseLine(line);
        if (!entry) return;
        logs.push(entry);
        if (entry.msg === 'switchyard worker started') {
          clearTimeout(timer);
          resolve();
        }
      });
      void proc.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`worker exited ${code ?? signal} before it started: ${stderr}`));
      });
    });
    return proc;
  }

  private track(
    role: Proc['role'],
    child: ChildProcess,
    url: string | null,
    logs: Record<string, unknown>[],
  ): Proc {
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        return resolve({ code: child.exitCode, signal: child.signalCode });
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const proc: Proc = {
      role,
      child,
      pid: child.pid!,
      url,
      logs,
      exited,
      alive: () => child.exitCode === null && child.signalCode === null,
    };
    this.procs.push(proc);
    return proc;
  }

  /** kill -9: no handler runs, nothing drains; leases run out and other workers take the calls. */
  async kill9(proc: Proc): Promise<void> {
    if (proc.alive()) proc.child.kill('SIGKILL');
    await proc.exited;
  }

  /** SIGTERM (drain), then the exit; SIGKILL after `graceMs` (which the caller can see in the result). */
  async terminate(proc: Proc, graceMs = 30_000): Promise<{ code: number | null; signal: string | null }> {
    if (proc.alive()) proc.child.kill('SIGTERM');
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
    const outcome = await proc.exited;
    clearTimeout(timer);
    return outcome;
  }

  /** The worker processes a `serve` process started so far (pids from its log), alive or not. */
  workerPidsOf(serve: Proc): number[] {
    return serve.logs.filter((l) => l.msg === 'worker started').map((l) => Number(l.pid));
  }

  /** Every failpoint that fired, in any process (each prints one line before it acts). */
  failpointsFired(): Record<string, unknown>[] {
    return this.procs.flatMap((p) => p.logs.filter((l) => l.msg === 'failpoint'));
  }

  /** SIGKILLs every process still running (and the worker processes of `serve`s), waits for the exits. */
  async stopAll(): Promise<void> {
    for (const proc of this.procs) {
      if (proc.role === 'serve' && proc.alive())
        for (const pid of this.workerPidsOf(proc)) if (isChildOf(pid, proc.pid)) process.kill(pid, 'SIGKILL');
      if (proc.alive()) proc.child.kill('SIGKILL');
    }
    await Promise.all(this.procs.map((p) => p.exited));
  }
}

/** Whether `pid` is a live child of `parent` (Linux /proc): never signal a recycled pid. */
export function isChildOf(pid: number, parent: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) === parent && !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}

function parseLine(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
