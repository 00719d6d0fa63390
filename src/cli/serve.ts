import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/config.js';
import type { Platform } from '../platform.js';
import type { ProcessPool } from '../supervisor/process-pool.js';
import { configFrom, parseCount, parsePort, withStoreOptions, type StoreFlags } from './options.js';

export interface ServeFlags extends StoreFlags {
  port?: number;
  host?: string;
  recipes?: string;
  workers?: number;
}

export function registerServe(program: Command): void {
  const serverFlags = (command: Command) =>
    withStoreOptions(command)
      .option('--port <port>', 'HTTP port (default 8080)', parsePort)
      .option('--host <host>', 'HTTP host (default 127.0.0.1)')
      .option('--recipes <dir>', 'deploy this recipes folder at start and whenever it changes')
      .option('--workers <n>', 'worker processes (0 runs the worker inside this process)', parseCount);

  serverFlags(program.command('serve'))
    .description('run the gateway, a supervisor and a pool of worker processes')
    .action(async (flags: ServeFlags) => runServe(configFrom(flags), flags));

  serverFlags(program.command('gateway'))
    .description('run only the gateway (workers run elsewhere on the same store)')
    .action(async (flags: ServeFlags) => runRole(configFrom(flags), { gateway: true, worker: false }));

  withStoreOptions(program.command('worker'))
    .description('run only a worker process on the store')
    .action(async (flags: StoreFlags) => runRole(configFrom(flags), { gateway: false, worker: true }));
}

// The platform is imported when a command runs, not when the command line is built: `--help` and
// usage errors stay fast.
export async function runServe(
  config: ResolvedConfig,
  flags: ServeFlags,
  extra: { onStop?: () => Promise<void>; onListening?: (url: string) => void } = {},
): Promise<void> {
  const { createPlatform } = await import('../platform.js');
  const { ProcessPool } = await import('../supervisor/process-pool.js');
  const { Dispatcher } = await import('../supervisor/dispatcher.js');
  const inProcessWorker = config.workers.count === 0;
  let pool: ProcessPool | null = null;
  const wakeWorkers = coalesce(() => pool?.sendToOne({ type: 'wake' }));
  // Settlements reported by worker processes answer the waiting requests of this process's gateway.
  const dispatcher = new Dispatcher({
    leaseMs: config.limits.leaseMs,
    onSettled: (callId, settlement) => platform.settled(callId, settlement),
    settle: (...args) => platform.store.settle(...args),
  });
  const platform = createPlatform(
    config,
    { gateway: true, worker: inProcessWorker || (config.workers.eager ? 'eager' : false) },
    { onEnqueued: wakeWorkers, ...(inProcessWorker ? {} : { handOff: dispatcher }) },
  );
  await platform.start();
  const stopWatching = await stopOnFailure(platform, () => deployAtStart(platform, config));
  let autoscaler: { stop(): void } | null = null;
  if (!inProcessWorker) {
    pool = startPool(ProcessPool, config, flags, (child) => dispatcher.forget(child));
    pool.onChildMessage = (message, child) => dispatcher.receive(message, child);
    autoscaler = await startAutoscaler(platform, pool, config);
  }
  // Signal handlers first: whoever reads "listening" may send SIGTERM at once, and it must drain.
  onShutdown(async () => {
    stopWatching?.();
    autoscaler?.stop();
    await pool?.stop();
    await platform.stop();
    await extra.onStop?.();
  });
  log({
    msg: 'switchyard listening',
    url: `${platform.url}/mcp`,
    workers: config.workers.count,
    database: redactUrl(config.databaseUrl),
  });
  extra.onListening?.(platform.url ?? '');
}

async function runRole(config: ResolvedConfig, roles: { gateway: boolean; worker: boolean }): Promise<void> {
  // Under `serve`, a worker process has an IPC channel to its supervisor: calls come in, reports go out.
  // Watched from the first moment: a supervisor that dies while this process starts must not leave it
  // running on as an orphan whose settlements go nowhere.
  const send = process.send?.bind(process);
  let supervisorGone = send !== undefined && !process.connected;
  let onSupervisorGone: () => void = () => undefined;
  if (send)
    process.once('disconnect', () => {
      supervisorGone = true;
      onSupervisorGone();
    });
  const { createPlatform } = await import('../platform.js');
  const { WorkerLink } = await import('../supervisor/worker-link.js');
  // The supervisor went while this process was loading: nothing opened yet, nobody to work for.
  if (supervisorGone) process.exit(0);
  const link = send
    ? new WorkerLink(
        (message) => send(message, undefined, undefined, () => undefined),
        () => platform.store.settle,
      )
    : null;
  const platform = createPlatform(link ? supervisedConfig(config) : config, roles, {
    onRoomFreed: () => link?.report(),
    // The supervisor commits this worker's settlements: one writer on the hot path (see WorkerLink).
    ...(link ? { settle: link.settle.bind(link) } : {}),
  });
  process.on('message', (message) => link?.receive(message));
  await platform.start();
  if (link && platform.worker) link.attach(platform.worker);
  const stopWatching = roles.gateway
    ? await stopOnFailure(platform, () => deployAtStart(platform, config))
    : null;
  // Signal handlers before the ready line (see runServe).
  const stop = onShutdown(async () => {
    stopWatching?.();
    await platform.stop();
  });
  // Nothing else may hold the event loop (a worker on SQLite polls on unref'd timers): run until a signal.
  setInterval(() => undefined, 1 << 30);
  if (roles.gateway) log({ msg: 'switchyard gateway listening', url: `${platform.url}/mcp` });
  else log({ msg: 'switchyard worker started', pid: process.pid });
  // A supervised worker whose supervisor died drains and exits rather than run on as an orphan.
  onSupervisorGone = () => {
    link?.close();
    stop('SIGTERM');
  };
  if (supervisorGone) onSupervisorGone();
}

/**
 * A supervised worker gets its calls and wake-ups over IPC, so its store poll is only the fallback for
 * changes made outside the supervisor (a CLI requeue, a call released by a draining worker): a slower
 * poll spares every worker a probe per commit of every other process.
 */
function supervisedConfig(config: ResolvedConfig): ResolvedConfig {
  const pollIntervalMs = Math.max(config.sqlite.pollIntervalMs, SUPERVISED_POLL_MS);
  return { ...config, sqlite: { ...config.sqlite, pollIntervalMs } };
}

const SUPERVISED_POLL_MS = 25;

/**
 * Runs a start-up step after the platform started; if it fails, stops the platform (closing the HTTP
 * listener and the store) before rethrowing, so the process exits with the error instead of serving on.
 */
async function stopOnFailure<T>(platform: Platform, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await platform.stop().catch(() => undefined);
    throw error;
  }
}

async function deployAtStart(platform: Platform, config: ResolvedConfig): Promise<(() => void) | null> {
  if (!config.recipesDir) return null;
  const dir = config.recipesDir;
  const { deployFolder, watchFolder } = await import('../recipes/deploy-folder.js');
  const result = await deployFolder(platform.store, platform.connectors, dir, config.workspace);
  log({
    msg: 'recipes deployed',
    dir,
    release: result.release.id,
    changed: result.changed,
    tools: result.release.recipes.map((r) => r.tool),
  });
  return watchFolder(dir, async () => {
    try {
      const next = await deployFolder(platform.store, platform.connectors, dir, config.workspace);
      if (next.changed) log({ msg: 'recipes redeployed', release: next.release.id });
    } catch (error) {
      log({ level: 'error', msg: 'recipes not redeployed', error: (error as Error).message });
    }
  });
}

function startPool(
  Pool: typeof ProcessPool,
  config: ResolvedConfig,
  flags: ServeFlags,
  onExit: (child: ChildProcess) => void,
): ProcessPool {
  const args = ['worker'];
  if (flags.config) args.push('--config', flags.config);
  args.push('--data-dir', config.dataDir, '--db', config.databaseUrl);
  const pool = new Pool({
    modulePath: fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url)),
    args,
    env: process.env,
    size: config.workers.count,
    stopTimeoutMs: config.limits.drainMs + 5000,
    nice: config.workers.nice,
    onEvent: (event) => log({ msg: `worker ${event.kind}`, ...event }),
    onExit,
  });
  pool.start();
  return pool;
}

/** Scales the pool between workers.min and workers.max on queue depth (off when they are equal). */
async function startAutoscaler(
  platform: Platform,
  pool: ProcessPool,
  config: ResolvedConfig,
): Promise<{ stop(): void } | null> {
  const w = config.workers;
  if (w.max <= w.min) return null;
  const { Autoscaler } = await import('../supervisor/autoscaler.js');
  const autoscaler = new Autoscaler(platform.store, pool, {
    min: w.min,
    max: w.max,
    concurrency: w.concurrency,
    utilization: w.utilization,
    upCooldownMs: w.scaleUpCooldownMs,
    downCooldownMs: w.scaleDownCooldownMs,
    intervalMs: w.scaleIntervalMs,
    onScale: (event) => log({ msg: 'workers scaled', ...event }),
    onError: (error) => log({ level: 'error', msg: 'autoscaler error', error: String(error) }),
  });
  autoscaler.start();
  return autoscaler;
}

/** First SIGTERM/SIGINT drains and exits 0; a second one exits at once. */
function onShutdown(stop: () => Promise<void>): (signal: NodeJS.Signals) => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log({ msg: 'draining', signal });
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log({ level: 'error', msg: 'shutdown failed', error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return handler;
}

/** At most one call of `fn` per event-loop turn, however often the result is invoked. */
function coalesce(fn: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      fn();
    });
  };
}

function log(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), ...fields })}\n`);
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
