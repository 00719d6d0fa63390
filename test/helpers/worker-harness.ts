import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS } from '../../src/config/config.js';
import { builtinConnectors, createConnectorRegistry } from '../../src/connectors/registry.js';
import { JsonSchemaValidator } from '../../src/core/json-schema.js';
import { newCallId, sha256 } from '../../src/core/ids.js';
import { canonicalJson, type JsonObject } from '../../src/core/json.js';
import { deployFolder } from '../../src/recipes/deploy-folder.js';
import { createReleaseCatalog } from '../../src/recipes/release-catalog.js';
import { createTemplateEvaluator } from '../../src/recipes/template-evaluator.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { Worker, type WorkerOptions } from '../../src/worker/worker.js';

/**
 * Workers on a real SQLite file, each with its own Store instance (as separate processes would have),
 * for tests that need to control exactly which worker holds a lease.
 */
export async function createWorkerHarness(recipesDir: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-worker-'));
  const file = path.join(dir, 'switchyard.db');
  const stores: Store[] = [];
  const workers: Worker[] = [];
  const openStore = async () => {
    const store = createSqliteStore({ path: file });
    await store.migrate();
    stores.push(store);
    return store;
  };
  const admin = await openStore();
  const connectors = createConnectorRegistry(builtinConnectors());
  const release = (await deployFolder(admin, connectors, recipesDir, 'default')).release;

  return {
    store: admin,
    release,
    async enqueue(
      tool: string,
      args: JsonObject,
      extra: { maxAttempts?: number; deadlineAt?: number | null; claimFor?: Worker } = {},
    ) {
      const outcome = await admin.enqueue({
        id: newCallId(),
        workspace: 'default',
        tool,
        releaseId: release.id,
        args,
        argsHash: sha256(canonicalJson(args)),
        idempotencyKey: null,
        idempotencySource: null,
        keyTtlMs: 60_000,
        maxAttempts: extra.maxAttempts ?? 3,
        deadlineAt: extra.deadlineAt ?? null,
        ...(extra.claimFor ? { claimFor: { workerId: extra.claimFor.id, leaseMs: 5000 } } : {}),
      });
      if (outcome.kind === 'conflict') throw new Error('unexpected conflict');
      return outcome.call;
    },
    /** `wrap` sees the worker's store first (e.g. to slow one of its writes down). */
    async startWorker(
      name: string,
      options: Partial<WorkerOptions> = {},
      wrap: (store: Store) => Store = (store) => store,
    ) {
      const store = wrap(await openStore());
      const catalog = createReleaseCatalog(store, connectors);
      const worker = new Worker(
        {
          store,
          connectors,
          connection: async () => null,
          recipes: {
            recipe: async (releaseId, tool) => (await catalog.recipes(releaseId)).get(tool) ?? null,
          },
          evaluator: createTemplateEvaluator({ timeoutMs: 1000, maxDepth: 100 }),
          validator: new JsonSchemaValidator(),
          env: {},
          backoff: { ...DEFAULT_LIMITS.backoff, initialMs: 20 },
          workerId: `${name}_${process.pid}`,
        },
        { concurrency: 8, leaseMs: 5000, heartbeatMs: 100, maxCrashes: 3, sweepMs: 50, ...options },
      );
      worker.start();
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.drain(100)));
      for (const store of stores) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
