import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/config.js';
import { UsageError } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { Vault } from '../vault/vault.js';
import { configFrom, output, withStoreOptions, type StoreFlags } from './options.js';
import { withStore } from './store-command.js';

type SetFlags = StoreFlags & {
  connector: string;
  set: string[];
  secretsStdin?: boolean;
  secretsFile?: string;
  secretEnv: string[];
};

export function registerConnections(program: Command): void {
  const connections = program
    .command('connections')
    .description('connections to external systems; secrets are sealed in the vault, never shown');

  withStoreOptions(connections.command('set <name>'))
    .description(
      'create or replace a connection (secrets from stdin, a file or environment variables, never argv)',
    )
    .requiredOption('--connector <connector>', 'salesforce, stripe, twilio, http, sql, …')
    .option('--set <key=value>', 'a non-secret setting (JSON values allowed); repeatable', collect, [])
    .option('--secrets-stdin', 'read the secrets from stdin: a JSON object or NAME=value lines')
    .option('--secrets-file <path>', 'read the secrets from a file: a JSON object or NAME=value lines')
    .option(
      '--secret-env <field=VAR>',
      'take secret FIELD from environment variable VAR; repeatable',
      collect,
      [],
    )
    .action(async (name: string, flags: SetFlags) => {
      const secrets = await readSecrets(flags);
      await withVault(configFrom(flags), async (vault) => {
        const saved = await vault.set({
          name,
          connector: flags.connector,
          config: settings(flags.set),
          secrets,
        });
        console.log(
          `connection ${saved.name} (${saved.connector}) saved with secrets: ${saved.secretNames.join(', ') || 'none'}`,
        );
      });
    });

  withStoreOptions(connections.command('ls'))
    .description('list connections: connector, settings and the names of their secrets (never values)')
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags & { json?: boolean }) => {
      await withVault(configFrom(flags), async (vault) => {
        const list = await vault.list();
        output(list, flags.json ?? false, () =>
          list.length === 0
            ? 'no connections'
            : list
                .map(
                  (c) =>
                    `${c.name}  ${c.connector}  secrets: ${c.secretNames.join(', ') || 'none'}  ${JSON.stringify(c.config)}`,
                )
                .join('\n'),
        );
      });
    });

  withStoreOptions(connections.command('rm <name>'))
    .description('remove a connection and its stored token')
    .action(async (name: string, flags: StoreFlags) => {
      await withVault(configFrom(flags), async (vault) => {
        if (!(await vault.remove(name))) throw new UsageError(`no connection ${name}`);
        console.log(`connection ${name} removed`);
      });
    });

  withStoreOptions(connections.command('rotate-key'))
    .description('re-seal every secret and token with a new master key')
    .action(async (flags: StoreFlags) => {
      const config = configFrom(flags);
      const resealed = await rotateMasterKey(config);
      console.log(resealed.message);
    });
}

async function withVault<T>(config: ResolvedConfig, fn: (vault: Vault) => Promise<T>): Promise<T> {
  const { loadKeyring } = await import('../vault/keyring.js');
  return withStore(config, async (store) =>
    fn(await vaultFor(config, store, loadKeyring({ dataDir: config.dataDir }))),
  );
}

async function vaultFor(
  config: ResolvedConfig,
  store: Parameters<Parameters<typeof withStore>[1]>[0],
  keyring: import('../vault/keyring.js').Keyring,
): Promise<Vault> {
  const [{ Vault }, { builtinConnectors, createConnectorRegistry }, { JsonSchemaValidator }] =
    await Promise.all([
      import('../vault/vault.js'),
      import('../connectors/registry.js'),
      import('../core/json-schema.js'),
    ]);
  return new Vault({
    store,
    keyring,
    connectors: createConnectorRegistry(builtinConnectors()),
    validator: new JsonSchemaValidator(),
    workspace: config.workspace,
    owner: `cli_${process.pid}`,
    declared: config.connections as Record<string, { connector: string; config: JsonObject }>,
  });
}

/**
 * Key file: a new key is added in front (it seals; the old one still opens), everything is re-sealed,
 * then the old key is dropped. A crash in between leaves both keys in the file, so nothing is lost.
 * SWITCHYARD_MASTER_KEY: the operator lists the new key first and the old after it, runs this, then
 * removes the old key.
 */
async function rotateMasterKey(config: ResolvedConfig): Promise<{ message: string }> {
  const { loadKeyring, keyFilePath, writeKeyFile } = await import('../vault/keyring.js');
  const { randomBytes } = await import('node:crypto');
  return withStore(config, async (store) => {
    const current = loadKeyring({ dataDir: config.dataDir });
    if (process.env.SWITCHYARD_MASTER_KEY?.trim()) {
      const count = await (await vaultFor(config, store, current)).reseal();
      return {
        message: `re-sealed ${count} values with the first key of SWITCHYARD_MASTER_KEY; remove the old keys from it now`,
      };
    }
    const file = keyFilePath(config.dataDir);
    const fresh = randomBytes(32);
    writeKeyFile(file, [fresh, ...current.byId.values()]);
    const count = await (await vaultFor(config, store, loadKeyring({ dataDir: config.dataDir }))).reseal();
    writeKeyFile(file, [fresh]);
    return {
      message: `re-sealed ${count} values with a new master key in ${file}; back it up with the database`,
    };
  });
}

async function readSecrets(flags: SetFlags): Promise<Record<string, string>> {
  const secrets: Record<string, string> = {};
  if (flags.secretsFile)
    Object.assign(secrets, parseSecrets(readFileSync(flags.secretsFile, 'utf8'), flags.secretsFile));
  if (flags.secretsStdin) Object.assign(secrets, parseSecrets(await readStdin(), 'stdin'));
  for (const entry of flags.secretEnv) {
    const [field, variable] = splitPair(entry, '--secret-env');
    const value = process.env[variable];
    if (!value) throw new UsageError(`--secret-env ${field}: environment variable ${variable} is not set`);
    secrets[field] = value;
  }
  return secrets;
}

/** A JSON object of strings, or NAME=value lines (blank lines and # comments ignored). */
function parseSecrets(text: string, source: string): Record<string, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new UsageError(`secrets from ${source} are not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new UsageError(`secrets from ${source} must be a JSON object`);
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => {
        if (typeof v !== 'string') throw new UsageError(`secret "${k}" from ${source} must be a string`);
        return [k, v];
      }),
    );
  }
  const out: Record<string, string> = {};
  for (const line of trimmed.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const [k, v] = splitPair(line.trim(), `a line of ${source}`);
    out[k] = v;
  }
  return out;
}

function settings(pairs: string[]): JsonObject {
  const out: JsonObject = {};
  for (const pair of pairs) {
    const [key, raw] = splitPair(pair, '--set');
    let value: JsonValue = raw;
    try {
      value = JSON.parse(raw) as JsonValue;
    } catch {
      // a plain string
    }
    out[key] = value;
  }
  return out;
}

function splitPair(text: string, what: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new UsageError(`${what} must look like name=value`);
  return [text.slice(0, i).trim(), text.slice(i + 1)];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (text += chunk));
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}
