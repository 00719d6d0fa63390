import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeLocalConnectionConfig } from '../../e2e/reliability-helpers.js';
import { checkRun, type CheckResult, type EffectSource } from './checker.js';
import { History } from './history.js';
import { startLedgerServer } from './ledger-server.js';
import { callWithRetries } from './mcp-client.js';
import { ProcessController, type Backend, type Proc } from './processes.js';
import { readAudit } from './store-audit.js';
import { CHAOS_ENV } from './liveness.js';

export const CHAOS_RECIPES = path.join(import.meta.dirname, '..', 'recipes');

/**
 * One chaos run's world: a backend (a fresh SQLite data dir, or a PostgreSQL database), the ledger
 * server behind the `local` http connection, the chaos recipes, a process controller, and the history
 * of client operations. `check()` runs the checker over all of it.
 */
export interface ChaosWorld {
  backend: Backend;
  controller: ProcessController;
  history: History;
  ledger: Awaited<ReturnType<typeof startLedgerServer>>;
  /** MCP endpoints of the gateways (serve or gateway processes) still alive. */
  endpoints(): string[];
  /** One chaos_effect operation (key `key`), retried by the client until it has an answer. */
  effectCall(key: string, sleepMs: number, budgetMs: number): ReturnType<typeof callWithRetries>;
  check(boundMs: number, ignoreKeys?: (key: string | null) => boolean): Promise<CheckResult>;
  close(): Promise<void>;
}

export async function chaosWorld(options: {
  /** A PostgreSQL database URL, or SQLite when absent. */
  postgresUrl?: string;
  ledgerDelayMs?: number;
  env?: Record<string, string>;
}): Promise<ChaosWorld> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-chaos-'));
  const ledger = await startLedgerServer({ delayMs: options.ledgerDelayMs ?? 20 });
  const config = writeLocalConnectionConfig(dir, ledger.port);
  const backend: Backend = options.postgresUrl
    ? { kind: 'postgres', url: options.postgresUrl }
    : { kind: 'sqlite', dataDir: dir };
  const controller = new ProcessController({
    backend,
    recipes: CHAOS_RECIPES,
    config,
    env: { ...CHAOS_ENV, ...options.env },
  });
  const history = new History();
  const gateways = () => controller.procs.filter((p: Proc) => p.url !== null && p.alive());
  const world: ChaosWorld = {
    backend,
    controller,
    history,
    ledger,
    endpoints: () => gateways().map((p) => `${p.url}/mcp`),
    effectCall: (key, sleepMs, budgetMs) =>
      callWithRetries(history, 'chaos_effect', { message: key, sleep_ms: sleepMs }, key, {
        endpoints: world.endpoints,
        requestTimeoutMs: 10_000,
        budgetMs,
      }),
    check: (boundMs, ignoreKeys) =>
      checkRun({
        history,
        audit: () => readAudit(world.backend),
        effects: async (): Promise<EffectSource[]> => [
          {
            name: 'ledger',
            policy: 'key',
            effects: ledger.effects,
            callOf: (e) => e.idempotencyKey?.split(':')[0] ?? null,
          },
        ],
        boundMs,
        ignoreKeys,
      }),
    async close() {
      await controller.stopAll();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Sleeps `ms`. */
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
