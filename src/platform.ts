import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from './config/config.js';
import { JsonSchemaValidator } from './core/json-schema.js';
import { UsageError } from './core/errors.js';
import { newId } from './core/ids.js';
import type { JsonObject } from './core/json.js';
import { loadKeyring } from './vault/keyring.js';
import { Vault } from './vault/vault.js';
import { builtinConnectors, createConnectorRegistry, type ConnectorRegistry } from './connectors/registry.js';
import { createCallService } from './gateway/call-service.js';
import { createCatalogService } from './gateway/catalog-service.js';
import { createGatewayServer } from './gateway/http-server.js';
import { createReleaseCatalog } from './recipes/release-catalog.js';
import { createTemplateEvaluator } from './recipes/template-evaluator.js';
import { createPostgresStore } from './store/postgres/postgres-store.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';
import type { Settlement, Store } from './store/store.js';
import type { HandOff } from './gateway/hand-off.js';
import { eagerHandOff } from './supervisor/eager-hand-off.js';
import { localHandOff } from './supervisor/local-hand-off.js';
import { Worker } from './worker/worker.js';

/** Which parts this process runs. `serve` = gateway + supervised worker processes; roles split them. */
export interface PlatformRoles {
  gateway: boolean;
  /**
   * Run a worker inside this process. `'eager'`: one that runs only calls the gateway hands it while it
   * has nothing else in flight, beside the worker processes of `hooks.handOff` (supervisor/eager-hand-off.ts).
   */
  worker: boolean | 'eager';
}

/** Fast cross-process hints (IPC under `serve`); the store's own change signal stays the source of truth. */
export interface PlatformHooks {
  /** A call was queued unclaimed (wake a worker process). */
  onEnqueued?: () => void;
  /** A call ended on this process's worker, so it has room for another. */
  onRoomFreed?: () => void;
  /**
   * Where the gateway hands new calls (worker processes); defaults to the in-process worker, if any. With
   * an `'eager'` worker, both (supervisor/eager-hand-off.ts).
   */
  handOff?: HandOff;
  /** How this process's worker commits settlements; defaults to its store (the supervisor's, under `serve`). */
  settle?: Store['settle'];
}

export interface Platform {
  readonly store: Store;
  readonly connectors: ConnectorRegistry;
  readonly vault: Vault;
  /** The gateway's base URL once started (gateway role). */
  url: string | null;
  start(): Promise<void>;
  /** Drains the worker and closes the gateway and store. Idempotent, safe to call twice. */
  stop(): Promise<void>;
  readonly worker: Worker | null;
  /** Answers the gateway's requests waiting on a call whose settlement a worker process sent in. */
  settled(callId: string, settlement: Settlement): void;
}

/** An eager worker runs one call at a time: it serves an idle gateway, whose next call finds it busy. */
const EAGER_CONCURRENCY = 1;

/** Where the gateway hands new calls: worker processes, this process's worker, or both (eager). */
function gatewayHandOff(
  worker: Worker | null,
  roles: PlatformRoles,
  processes: HandOff | undefined,
  leaseMs: number,
): HandOff | undefined {
  const local = worker ? localHandOff(worker, leaseMs) : undefined;
  if (roles.worker === 'eager' && local && processes) return eagerHandOff(local, processes);
  return processes ?? local;
}

/** Opens the configured store: `sqlite:<path>`, or `postgres://…` / `postgresql://…` (several machines). */
export function openStore(config: ResolvedConfig, options: { mainWriter?: boolean } = {}): Store {
  const url = config.databaseUrl;
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return createSqliteStore({
      path: file,
      synchronous: config.sqlite.synchronous,
      pollIntervalMs: config.sqlite.pollIntervalMs,
      // The gateway commits the hot path's writes (the enqueue; under `serve`, settlements too).
      backgroundCheckpoints: options.mainWriter === true,
    });
  }
  if (/^postgres(ql)?:\/\//.test(url))
    return createPostgresStore({ url, queryTimeoutMs: config.postgres.queryTimeoutMs });
  throw new UsageError(`unsupported database URL: ${url.replace(/\/\/[^@]*@/, '//***@')}`);
}

/** The composition root: builds every part from the resolved config. Nothing else names a backend. */
export function createPlatform(
  config: ResolvedConfig,
  roles: PlatformRoles,
  hooks: PlatformHooks = {},
): Platform {
  const store = openStore(config, { mainWriter: roles.gateway });
  const connectors = createConnectorRegistry(builtinConnectors());
  const validator = new JsonSchemaValidator();
  const evaluator = createTemplateEvaluator({
    timeoutMs: config.limits.expressionTimeoutMs,
    maxDepth: config.limits.expressionMaxDepth,
  });
  const catalog = createReleaseCatalog(store, connectors);
  const env = Object.fromEntries(
    config.envAllowList.flatMap((name) =>
      process.env[name] === undefined ? [] : [[name, process.env[name] as string]],
    ),
  );
  const workerId = newId(`w${process.pid}`);
  const vault = new Vault({
    store,
    keyring: loadKeyring({ dataDir: config.dataDir }),
    connectors,
    validator,
    workspace: config.workspace,
    owner: workerId,
    declared: config.connections as Record<string, { connector: string; config: JsonObject }>,
  });

  const worker = roles.worker
    ? new Worker(
        {
          store: hooks.settle ? { ...store, settle: hooks.settle } : store,
          connectors,
          connection: (name) => vault.resolve(name),
          recipes: {
            recipe: async (releaseId, tool) => (await catalog.recipes(releaseId)).get(tool) ?? null,
          },
          evaluator,
          validator,
          env,
          backoff: config.limits.backoff,
          workerId,
        },
        {
          concurrency: roles.worker === 'eager' ? EAGER_CONCURRENCY : config.workers.concurrency,
          claims: roles.worker !== 'eager',
          leaseMs: config.limits.leaseMs,
          heartbeatMs: config.limits.heartbeatMs,
          maxCrashes: config.limits.maxCrashes,
          retentionMs: config.limits.retentionMs,
          onError: (error) =>
            console.error(JSON.stringify({ level: 'error', msg: 'worker error', error: String(error) })),
          onSettled: (callId, settlement) => service?.settled(callId, settlement),
          onRoomFreed: hooks.onRoomFreed,
        },
      )
    : null;

  const service = roles.gateway
    ? createCallService({
        store,
        catalog,
        validator,
        evaluator,
        workspace: config.workspace,
        servers: config.servers,
        limits: config.limits,
        onEnqueued: hooks.onEnqueued,
        handOff: gatewayHandOff(worker, roles, hooks.handOff, config.limits.leaseMs),
      })
    : null;
  const gateway = service
    ? createGatewayServer({
        tools: service,
        tasks: service,
        catalog: createCatalogService({
          store,
          catalog,
          evaluator,
          workspace: config.workspace,
          servers: config.servers,
          submit: (request) => service.submit(request),
        }),
        host: config.http.host,
        port: config.http.port,
        allowedOrigins: config.http.allowedOrigins,
        maxBodyBytes: config.http.maxBodyBytes,
      })
    : null;

  let started: Promise<void> | null = null;
  let stopped: Promise<void> | null = null;
  const platform: Platform = {
    store,
    connectors,
    vault,
    worker,
    url: null,
    settled: (callId, settlement) => service?.settled(callId, settlement),
    start() {
      started ??= (async () => {
        await store.migrate();
        if (gateway) {
          const { port } = await gateway.listen();
          platform.url = `http://${config.http.host}:${port}`;
        }
        worker?.start();
      })();
      return started;
    },
    stop() {
      stopped ??= (async () => {
        await started?.catch(() => undefined);
        await worker?.drain(config.limits.drainMs);
        // Stop accepting, then answer every waiting request now (CALL_IN_PROGRESS with its call id)
        // instead of cutting its connection after the close grace: the client keeps its call id.
        const closing = gateway?.close();
        service?.close();
        await closing;
        await connectors.close?.();
        await store.close();
      })();
      return stopped;
    },
  };
  return platform;
}
