import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type ConfigOverrides } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/config.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080/mcp';

/** Flags shared by every command that talks to the store. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--config <file>', 'switchyard.yaml to read')
    .option('--data-dir <dir>', 'where the SQLite database lives', undefined)
    .option('--db <url>', 'database URL (sqlite:<path>)');
}

export interface StoreFlags {
  config?: string;
  dataDir?: string;
  db?: string;
}

export function configFrom(flags: StoreFlags & ConfigOverrides): ResolvedConfig {
  return loadConfig(flags);
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('expected a port number 0..65535');
  return port;
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 256)
    throw new InvalidArgumentError('expected a whole number 0..256');
  return n;
}

/** Prints a value as JSON (for --json) or via the given formatter. */
export function output(value: unknown, json: boolean, format: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : format()}\n`);
}
