import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/src/main.js';
import { storeSandboxSecrets, writeDemoConfig } from '../../src/cli/demo.js';
import { loadConfig } from '../../src/config/load-config.js';
import { repoRoot, startSwitchyard, type ServeProcess } from './serve-process.js';

export const DEWY_RECIPES = path.join(repoRoot, 'examples', 'dewy-resort', 'recipes');

export interface DewyWorld {
  sandbox: Sandbox;
  server: ServeProcess;
  dataDir: string;
  guestUrl: string;
  managerUrl: string;
  /** The effects ledger of one emulated system. */
  ledger(
    system: 'salesforce' | 'stripe' | 'twilio',
  ): Promise<{ operation: string; idempotencyKey: string | null; target: string | null }[]>;
  /** Changes an emulator's latency or faults at run time. */
  behaviour(system: 'salesforce' | 'stripe' | 'twilio', patch: object): Promise<void>;
  /** Salesforce OAuth token requests so far. */
  tokens(): Promise<{ issued: number }>;
  stop(): Promise<void>;
}

/**
 * The Dewy Resort world as `switchyard demo` builds it — the emulators, the demo's configuration, the
 * sandbox credentials sealed in the vault — with `switchyard serve` as a real process tree (gateway and
 * worker processes), so tests can kill workers.
 */
export async function startDewyWorld(
  options: { workers?: number; tokenTtlMs?: number; env?: Record<string, string> } = {},
): Promise<DewyWorld> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-dewy-'));
  const sandbox = await startSandbox({
    dataDir: path.join(dataDir, 'sandbox'),
    latency: 'fast',
    ...(options.tokenTtlMs === undefined ? {} : { tokenTtlMs: options.tokenTtlMs }),
  });
  const configFile = writeDemoConfig(dataDir, sandbox, 0);
  await storeSandboxSecrets(
    loadConfig({ config: configFile }),
    path.join(dataDir, 'sandbox', 'credentials.json'),
  );
  const server = await startSwitchyard({
    dataDir,
    recipes: DEWY_RECIPES,
    args: ['--config', configFile, '--workers', String(options.workers ?? 2)],
    env: options.env ?? {},
  });
  const urlOf = (system: 'salesforce' | 'stripe' | 'twilio') => sandbox[system];
  return {
    sandbox,
    server,
    dataDir,
    guestUrl: `${server.url}/mcp/guest`,
    managerUrl: `${server.url}/mcp/manager`,
    async ledger(system) {
      const res = await fetch(`${urlOf(system)}/_sandbox/ledger`);
      return ((await res.json()) as { effects: never[] }).effects;
    },
    async behaviour(system, patch) {
      await fetch(`${urlOf(system)}/_sandbox/behaviour`, { method: 'PUT', body: JSON.stringify(patch) });
    },
    async tokens() {
      return (await (await fetch(`${sandbox.salesforce}/_sandbox/salesforce/tokens`)).json()) as {
        issued: number;
      };
    },
    async stop() {
      await server.stop();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
