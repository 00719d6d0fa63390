import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { isPlainObject } from '../core/json.js';
import { DEFAULT_LIMITS, type ResolvedConfig, type ResolvedLimits } from './config.js';

/** Flags a command passes in; they win over the environment, which wins over the file. */
export interface ConfigOverrides {
  config?: string;
  dataDir?: string;
  db?: string;
  recipes?: string;
  host?: string;
  port?: number;
  workers?: number;
}

type Raw = Record<string, unknown>;

/**
 * Resolves the configuration: defaults ← `switchyard.yaml` (from `--config` or SWITCHYARD_CONFIG) ←
 * SWITCHYARD_* variables (a key path joined by `_`, e.g. SWITCHYARD_LIMITS_LEASE=5s) ← flags.
 */
export function loadConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedConfig {
  const file = overrides.config ?? env.SWITCHYARD_CONFIG;
  const raw: Raw = file ? readConfigFile(file) : {};
  applyEnv(raw, env);
  const baseDir = file ? path.dirname(path.resolve(file)) : process.cwd();
  const dataDir = path.resolve(baseDir, overrides.dataDir ?? str(raw.data_dir, 'data_dir') ?? '.switchyard');
  const database = overrides.db ?? env.SWITCHYARD_DATABASE_URL ?? str(raw.database, 'database');
  const recipes = overrides.recipes ?? str(raw.recipes, 'recipes');
  const http = obj(raw.http, 'http');
  const workers = obj(raw.workers, 'workers');
  return {
    dataDir,
    databaseUrl: database ?? `sqlite:${path.join(dataDir, 'switchyard.db')}`,
    sqlite: {
      synchronous:
        oneOf(obj(raw.sqlite, 'sqlite').synchronous, ['NORMAL', 'FULL'], 'sqlite.synchronous') ?? 'NORMAL',
      pollIntervalMs: duration(obj(raw.sqlite, 'sqlite').poll_interval, 'sqlite.poll_interval') ?? 2,
    },
    postgres: {
      queryTimeoutMs:
        duration(obj(raw.postgres, 'postgres').query_timeout, 'postgres.query_timeout') ?? 5_000,
    },
    recipesDir: recipes ? path.resolve(baseDir, recipes) : null,
    workspace: str(raw.workspace, 'workspace') ?? 'default',
    http: {
      host: overrides.host ?? str(http.host, 'http.host') ?? '127.0.0.1',
      port: overrides.port ?? int(http.port, 'http.port') ?? 8080,
      allowedOrigins: strList(http.allowed_origins, 'http.allowed_origins') ?? [],
      maxBodyBytes: int(http.max_body_bytes, 'http.max_body_bytes') ?? 1024 * 1024,
    },
    servers: resolveServers(raw.servers),
    connections: resolveConnections(raw.connections),
    envAllowList: strList(raw.env, 'env') ?? [],
    limits: resolveLimits(obj(raw.limits, 'limits')),
    workers: resolveWorkers(workers, overrides.workers),
  };
}

function resolveWorkers(raw: Raw, countFlag: number | undefined): ResolvedConfig['workers'] {
  const count = countFlag ?? int(raw.count, 'workers.count') ?? defaultWorkerCount();
  const min = int(raw.min, 'workers.min') ?? count;
  const max = int(raw.max, 'workers.max') ?? Math.max(count, min);
  if (min > max) throw new UsageError(`workers.min (${min}) is above workers.max (${max})`);
  const utilization = num(raw.utilization, 'workers.utilization') ?? 0.8;
  if (!(utilization > 0 && utilization <= 1)) throw new UsageError('workers.utilization must be in (0, 1]');
  return {
    count: Math.min(max, Math.max(min, count)),
    concurrency: int(raw.concurrency, 'workers.concurrency') ?? 64,
    eager: bool(raw.eager, 'workers.eager') ?? true,
    nice: niceness(raw.nice),
    min,
    max,
    utilization,
    scaleUpCooldownMs: duration(raw.scale_up_cooldown, 'workers.scale_up_cooldown') ?? 5_000,
    scaleDownCooldownMs: duration(raw.scale_down_cooldown, 'workers.scale_down_cooldown') ?? 60_000,
    scaleIntervalMs: duration(raw.scale_interval, 'workers.scale_interval') ?? 1_000,
  };
}

/**
 * Worker processes run at a lower CPU priority than the gateway by default. The gateway's event loop
 * is the hot path's one serial stage (every request, every commit); a worker woken by a dispatch
 * would otherwise preempt it on a busy core. 10, not 19: a starved worker would miss heartbeats.
 */
function niceness(value: unknown): number {
  const nice = int(value, 'workers.nice') ?? 10;
  if (nice < 0 || nice > 19) throw new UsageError('workers.nice must be from 0 to 19');
  return nice;
}

/**
 * One worker process per core the gateway leaves free: each process already runs many calls at once
 * (they wait on I/O), so more processes than cores only contend for them. At least one.
 */
function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

function readConfigFile(file: string): Raw {
  if (!existsSync(file)) throw new UsageError(`config file not found: ${file}`);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed == null) return {};
  if (!isPlainObject(parsed)) throw new UsageError(`${file}: expected a mapping at the top level`);
  return parsed;
}

/** SWITCHYARD_LIMITS_LEASE=5s sets limits.lease; values are read as YAML scalars. */
function applyEnv(raw: Raw, env: NodeJS.ProcessEnv): void {
  const known = new Set(['CONFIG', 'DATABASE_URL', 'MASTER_KEY', 'FAILPOINTS', 'LOG_LEVEL']);
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('SWITCHYARD_') || value === undefined) continue;
    const key = name.slice('SWITCHYARD_'.length);
    if (known.has(key)) continue;
    const parts = key.toLowerCase().split('_');
    setPath(raw, parts, parseYaml(value) as unknown);
  }
}

/** Matches env key parts against existing/known nested keys (`max_attempts` contains an underscore). */
function setPath(raw: Raw, parts: string[], value: unknown): void {
  const sections = ['sqlite', 'postgres', 'http', 'limits', 'workers', 'backoff'];
  const first = parts[0] ?? '';
  if (sections.includes(first) && parts.length > 1) {
    const child = isPlainObject(raw[first]) ? (raw[first] as Raw) : {};
    raw[first] = child;
    setPath(child, parts.slice(1), value);
    return;
  }
  raw[parts.join('_')] = value;
}

function resolveLimits(raw: Raw): ResolvedLimits {
  const backoff = obj(raw.backoff, 'limits.backoff');
  const d = DEFAULT_LIMITS;
  return {
    waitMs: duration(raw.wait, 'limits.wait') ?? d.waitMs,
    deadlineMs: duration(raw.deadline, 'limits.deadline') ?? d.deadlineMs,
    leaseMs: duration(raw.lease, 'limits.lease') ?? d.leaseMs,
    heartbeatMs: duration(raw.heartbeat, 'limits.heartbeat') ?? d.heartbeatMs,
    maxAttempts: int(raw.max_attempts, 'limits.max_attempts') ?? d.maxAttempts,
    maxCrashes: int(raw.max_crashes, 'limits.max_crashes') ?? d.maxCrashes,
    backoff: {
      initialMs: duration(backoff.initial, 'limits.backoff.initial') ?? d.backoff.initialMs,
      factor: num(backoff.factor, 'limits.backoff.factor') ?? d.backoff.factor,
      maxMs: duration(backoff.max, 'limits.backoff.max') ?? d.backoff.maxMs,
      jitter: num(backoff.jitter, 'limits.backoff.jitter') ?? d.backoff.jitter,
    },
    keyTtlMs: duration(raw.key_ttl, 'limits.key_ttl') ?? d.keyTtlMs,
    retentionMs: duration(raw.retention, 'limits.retention') ?? d.retentionMs,
    expressionTimeoutMs:
      duration(raw.expression_timeout, 'limits.expression_timeout') ?? d.expressionTimeoutMs,
    expressionMaxDepth: int(raw.expression_max_depth, 'limits.expression_max_depth') ?? d.expressionMaxDepth,
    drainMs: duration(raw.drain, 'limits.drain') ?? d.drainMs,
  };
}

function resolveServers(value: unknown): Record<string, string[] | '*'> {
  const servers: Record<string, string[] | '*'> = { default: '*' };
  for (const [name, tools] of Object.entries(obj(value, 'servers'))) {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
      throw new UsageError(`servers.${name}: names are lowercase letters, digits, _ and -`);
    servers[name] =
      tools === '*' ? '*' : (strList(isPlainObject(tools) ? tools.tools : tools, `servers.${name}`) ?? []);
  }
  return servers;
}

function resolveConnections(value: unknown): ResolvedConfig['connections'] {
  const out: ResolvedConfig['connections'] = {};
  for (const [name, spec] of Object.entries(obj(value, 'connections'))) {
    const { connector, ...config } = obj(spec, `connections.${name}`);
    const kind = str(connector, `connections.${name}.connector`);
    if (!kind) throw new UsageError(`connections.${name}: missing "connector"`);
    out[name] = { connector: kind, config };
  }
  return out;
}

function obj(value: unknown, key: string): Raw {
  if (value == null) return {};
  if (!isPlainObject(value)) throw new UsageError(`${key}: expected a mapping`);
  return value;
}
function str(value: unknown, key: string): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new UsageError(`${key}: expected a string`);
  return String(value);
}
function num(value: unknown, key: string): number | undefined {
  if (value == null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${key}: expected a number, got ${JSON.stringify(value)}`);
  return n;
}
function int(value: unknown, key: string): number | undefined {
  const n = num(value, key);
  if (n !== undefined && (!Number.isInteger(n) || n < 0))
    throw new UsageError(`${key}: expected a whole number`);
  return n;
}
function duration(value: unknown, key: string): number | undefined {
  if (value == null) return undefined;
  const ms = parseDuration(value);
  if (ms === null)
    throw new UsageError(`${key}: expected a duration like 500ms, 30s, 5m (got ${JSON.stringify(value)})`);
  return ms;
}
function bool(value: unknown, key: string): boolean | undefined {
  if (value == null) return undefined;
  if (typeof value !== 'boolean') throw new UsageError(`${key}: expected true or false`);
  return value;
}
function strList(value: unknown, key: string): string[] | undefined {
  if (value == null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new UsageError(`${key}: expected a list of strings`);
  return value;
}
function oneOf<T extends string>(value: unknown, allowed: readonly T[], key: string): T | undefined {
  if (value == null) return undefined;
  const upper = String(value).toUpperCase();
  if (!(allowed as readonly string[]).includes(upper))
    throw new UsageError(`${key}: expected one of ${allowed.join(', ')}`);
  return upper as T;
}
