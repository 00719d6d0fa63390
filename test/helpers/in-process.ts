import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load-config.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import { deployFolder } from '../../src/recipes/deploy-folder.js';
import { fixtureRecipes } from './serve-process.js';

export interface TestPlatform {
  platform: Platform;
  /** The MCP endpoint, e.g. http://127.0.0.1:PORT/mcp */
  mcpUrl: string;
  /** Where its SQLite file (and key file) live: what `--data-dir` names for CLI commands. */
  dataDir: string;
  deploy(dir: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Gateway and worker in this process on a fresh SQLite file (real store, real HTTP on 127.0.0.1),
 * configured like a user would with SWITCHYARD_* variables.
 */
export async function startTestPlatform(
  options: { recipes?: string; env?: Record<string, string>; config?: string } = {},
): Promise<TestPlatform> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-it-'));
  const config = loadConfig(
    { dataDir, port: 0, workers: 0, config: options.config },
    { SWITCHYARD_LIMITS_HEARTBEAT: '300ms', ...options.env },
  );
  const platform = createPlatform(config, { gateway: true, worker: true });
  await platform.start();
  const deploy = async (dir: string) =>
    (await deployFolder(platform.store, platform.connectors, dir, config.workspace)).release.id;
  await deploy(options.recipes ?? fixtureRecipes);
  return {
    platform,
    mcpUrl: `${platform.url}/mcp`,
    dataDir,
    deploy,
    async stop() {
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
