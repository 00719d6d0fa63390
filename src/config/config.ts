import type { BackoffPolicy } from '../core/backoff.js';

/**
 * The resolved configuration. `load-config.ts` is the only module that reads `process.env` and the
 * config file; everything else receives this object.
 */
export interface ResolvedConfig {
  /** Where SQLite files and the key file live. */
  dataDir: string;
  /** `sqlite:<path>` (default: `<dataDir>/switchyard.db`) or a PostgreSQL URL (later). */
  databaseUrl: string;
  sqlite: { synchronous: 'NORMAL' | 'FULL'; pollIntervalMs: number };
  /** PostgreSQL store settings: how long one statement may go unanswered (ms, 0: no limit). */
  postgres: { queryTimeoutMs: number };
  /** A recipes folder deployed at start (and on change), or null. */
  recipesDir: string | null;
  workspace: string;
  http: { host: string; port: number; allowedOrigins: string[]; maxBodyBytes: number };
  /** Named MCP servers: name → the tools it lists (`*` = every exposed tool). `default` is `/mcp`. */
  servers: Record<string, string[] | '*'>;
  /** Named connections: non-secret configuration per connection. */
  connections: Record<string, { connector: string; config: Record<string, unknown> }>;
  /** Environment variables recipes may read as `env.NAME`. */
  envAllowList: string[];
  limits: ResolvedLimits;
  workers: WorkerPoolConfig;
}

/** Worker processes under `serve`: a fixed pool (min = max = count), or autoscaled between min and max. */
export interface WorkerPoolConfig {
  /** Workers at start. */
  count: number;
  concurrency: number;
  /** Run a call in the gateway's process when it has nothing else in flight (supervisor/eager-hand-off.ts). */
  eager: boolean;
  /**
   * The worker processes' scheduling niceness (0–19, added to the gateway's): under CPU contention the
   * gateway, which every client waits on and which commits every call, runs before them.
   */
  nice: number;
  min: number;
  max: number;
  /** Share of each worker's concurrency the autoscaler aims to fill. */
  utilization: number;
  scaleUpCooldownMs: number;
  scaleDownCooldownMs: number;
  scaleIntervalMs: number;
}

export interface ResolvedLimits {
  /** How long the gateway waits for a call to settle before CALL_IN_PROGRESS. */
  waitMs: number;
  /** Default time from enqueue to settlement. */
  deadlineMs: number;
  leaseMs: number;
  heartbeatMs: number;
  /** Attempts (claims ending in a retry-safe error) before a call fails for good. */
  maxAttempts: number;
  /** Worker crashes (expired leases) before a call is dead-lettered. */
  maxCrashes: number;
  backoff: BackoffPolicy;
  /** How long idempotency keys are kept. */
  keyTtlMs: number;
  /** Settled calls, journals and keys older than this are pruned. */
  retentionMs: number;
  /** Expression evaluation limits. */
  expressionTimeoutMs: number;
  expressionMaxDepth: number;
  /** Grace period for in-flight calls on SIGTERM before they are released. */
  drainMs: number;
}

export const DEFAULT_LIMITS: ResolvedLimits = {
  waitMs: 50_000,
  deadlineMs: 10 * 60_000,
  leaseMs: 30_000,
  heartbeatMs: 10_000,
  maxAttempts: 3,
  maxCrashes: 3,
  backoff: { initialMs: 500, factor: 2, maxMs: 30_000, jitter: 0.5 },
  keyTtlMs: 24 * 3600_000,
  retentionMs: 7 * 24 * 3600_000,
  expressionTimeoutMs: 1000,
  expressionMaxDepth: 200,
  drainMs: 15_000,
};
