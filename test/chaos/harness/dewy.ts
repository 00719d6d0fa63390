import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../../sandbox/src/main.js';
import { storeSandboxSecrets, writeDemoConfig } from '../../../src/cli/demo.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { keyFilePath } from '../../../src/vault/keyring.js';
import { DEWY_RECIPES } from '../../helpers/dewy-world.js';
import type { LedgerEffect } from './ledger-server.js';
import { CHAOS_ENV } from './liveness.js';
import { ProcessController, type Backend } from './processes.js';

export type DewySystem = 'salesforce' | 'stripe' | 'twilio';

/**
 * The Dewy Resort world for chaos runs: the sandbox emulators (with their effects ledgers and fault
 * injection), the demo's configuration with a short per-request connector timeout (so an emulator
 * that never answers costs a second, not 30), the sandbox credentials in the vault, and a process
 * controller on the same store: the data dir's SQLite, or the PostgreSQL database `postgresUrl`. On
 * PostgreSQL the vault's master key goes to every process as SWITCHYARD_MASTER_KEY (a `gateway` there
 * gets a data dir of its own from the test helper, without the key file).
 */
export async function startChaosDewy(
  options: { connectorTimeout?: string; postgresUrl?: string } = {},
): Promise<{
  sandbox: Sandbox;
  controller: ProcessController;
  dataDir: string;
  backend: Backend;
  ledger(system: DewySystem): Promise<LedgerEffect[]>;
  faults(system: DewySystem, faults: Record<string, number>): Promise<void>;
  close(): Promise<void>;
}> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-chaos-dewy-'));
  const sandbox = await startSandbox({ dataDir: path.join(dataDir, 'sandbox'), latency: 'fast' });
  const configFile = writeDemoConfig(dataDir, sandbox, 0);
  const text = readFileSync(configFile, 'utf8').replaceAll(
    '    allow_hosts: [127.0.0.1]\n',
    `    allow_hosts: [127.0.0.1]\n    timeout: ${options.connectorTimeout ?? '1s'}\n`,
  );
  writeFileSync(configFile, text);
  const backend: Backend = options.postgresUrl
    ? { kind: 'postgres', url: options.postgresUrl }
    : { kind: 'sqlite', dataDir };
  await storeSandboxSecrets(
    loadConfig({ config: configFile, ...(options.postgresUrl ? { db: options.postgresUrl } : {}) }),
    path.join(dataDir, 'sandbox', 'credentials.json'),
  );
  const masterKey: Record<string, string> = options.postgresUrl
    ? { SWITCHYARD_MASTER_KEY: readFileSync(keyFilePath(dataDir), 'utf8').trim().split('\n').join(',') }
    : {};
  const controller = new ProcessController({
    backend,
    recipes: DEWY_RECIPES,
    config: configFile,
    env: { ...CHAOS_ENV, ...masterKey },
  });
  return {
    sandbox,
    controller,
    dataDir,
    backend,
    async ledger(system) {
      const res = await fetch(`${sandbox[system]}/_sandbox/ledger`);
      return ((await res.json()) as { effects: LedgerEffect[] }).effects;
    },
    async faults(system, faults) {
      await fetch(`${sandbox[system]}/_sandbox/behaviour`, {
        method: 'PUT',
        body: JSON.stringify({ faults }),
      });
    },
    async close() {
      await controller.stopAll();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A UUID (v4 layout) from a seeded random source, so a seed replays the same tokens. */
export function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)]!;
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
