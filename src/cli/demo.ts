import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { UsageError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { parseCount, parsePort } from './options.js';

interface DemoFlags {
  port?: number;
  latency: string;
  dataDir?: string;
  workers?: number;
}

/** The package root (this file is dist/cli/demo.js or src/cli/demo.ts). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORLD = path.join(ROOT, 'examples', 'dewy-resort');

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'run the Dewy Resort world: emulated Salesforce, Stripe and Twilio, the hotel recipes, /mcp/guest and /mcp/manager',
    )
    .option('--port <port>', 'HTTP port (default 8080)', parsePort)
    .option('--latency <profile>', 'fast (no added latency) or realistic (the case study figures)', 'fast')
    .option('--data-dir <dir>', 'where the demo keeps its state (default ./.switchyard/demo)')
    .option('--workers <n>', 'worker processes (0 runs the worker inside this process)', parseCount)
    .action(async (flags: DemoFlags) => runDemo(flags));
}

async function runDemo(flags: DemoFlags): Promise<void> {
  if (flags.latency !== 'fast' && flags.latency !== 'realistic')
    throw new UsageError('--latency must be fast or realistic');
  const dataDir = path.resolve(flags.dataDir ?? path.join('.switchyard', 'demo'));
  mkdirSync(dataDir, { recursive: true });
  const sandbox = await startSandbox(path.join(dataDir, 'sandbox'), flags.latency);
  try {
    const configFile = writeDemoConfig(dataDir, sandbox.urls, flags.port ?? 8080);
    const config = loadConfig({
      config: configFile,
      ...(flags.workers === undefined ? {} : { workers: flags.workers }),
    });
    await storeSandboxSecrets(config, path.join(dataDir, 'sandbox', 'credentials.json'));
    const { runServe } = await import('./serve.js');
    await runServe(
      config,
      { config: configFile },
      {
        onStop: () => sandbox.stop(),
        onListening: (url) => process.stdout.write(banner(url, flags.latency)),
      },
    );
  } catch (error) {
    await sandbox.stop();
    throw error;
  }
}

interface SandboxProcess {
  urls: { salesforce: string; stripe: string; twilio: string };
  stop(): Promise<void>;
}

/** Starts the emulators (sandbox/, a separate program) and waits for their ready line. */
async function startSandbox(dataDir: string, latency: string): Promise<SandboxProcess> {
  const main = path.join(ROOT, 'dist', 'sandbox', 'main.js');
  if (!existsSync(main)) throw new UsageError(`the sandbox is not built (${main}); run npm run build`);
  const child = spawn(process.execPath, [main, '--data-dir', dataDir, '--latency', latency], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const urls = await new Promise<SandboxProcess['urls']>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === 'sandbox ready') resolve(entry as unknown as SandboxProcess['urls']);
      } catch {
        // not the ready line
      }
    });
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before it was ready`)));
  });
  return { urls, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * The demo's switchyard.yaml: the world's own file (servers, connections, env) with the emulators'
 * addresses filled in, written into the demo's data dir so worker processes read the same file.
 */
export function writeDemoConfig(dataDir: string, urls: SandboxProcess['urls'], port: number): string {
  const template = readFileSync(path.join(WORLD, 'switchyard.yaml'), 'utf8');
  const text = template
    .replaceAll('{{salesforce_url}}', urls.salesforce)
    .replaceAll('{{stripe_url}}', urls.stripe)
    .replaceAll('{{twilio_url}}', urls.twilio)
    .replaceAll('{{recipes}}', JSON.stringify(path.join(WORLD, 'recipes')))
    .replaceAll('{{data_dir}}', JSON.stringify(dataDir))
    .replaceAll('{{port}}', String(port));
  const file = path.join(dataDir, 'switchyard.yaml');
  writeFileSync(file, text);
  return file;
}

/**
 * Seals the emulators' credentials into the vault. The sandbox writes them to a 0600 file in its data
 * dir; they pass from there to the vault and nowhere else (never argv, logs or output).
 */
export async function storeSandboxSecrets(
  config: ReturnType<typeof loadConfig>,
  credentialsFile: string,
): Promise<void> {
  const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  const { withStore } = await import('./store-command.js');
  const { loadKeyring } = await import('../vault/keyring.js');
  const [{ Vault }, { builtinConnectors, createConnectorRegistry }, { JsonSchemaValidator }] =
    await Promise.all([
      import('../vault/vault.js'),
      import('../connectors/registry.js'),
      import('../core/json-schema.js'),
    ]);
  await withStore(config, async (store) => {
    const vault = new Vault({
      store,
      keyring: loadKeyring({ dataDir: config.dataDir }),
      connectors: createConnectorRegistry(builtinConnectors()),
      validator: new JsonSchemaValidator(),
      workspace: config.workspace,
      owner: `demo_${process.pid}`,
      declared: config.connections as Record<string, { connector: string; config: JsonObject }>,
    });
    for (const [name, declared] of Object.entries(config.connections)) {
      const secrets = credentials[declared.connector];
      if (secrets) await vault.set({ name, connector: declared.connector, config: {}, secrets });
    }
  });
}

function banner(url: string, latency: string): string {
  return [
    '',
    `Dewy Resort is open (latency: ${latency}).`,
    `  guest tools:   ${url}/mcp/guest`,
    `  manager tools: ${url}/mcp/manager`,
    '',
    'Try a check-in (in another terminal):',
    `  node bin/switchyard.js call check_in_guest --url ${url}/mcp/guest \\`,
    `    --args '{"guest_email":"lucas.brennan@example.com","idempotency_token":"'$(node -e "console.log(crypto.randomUUID())")'"}'`,
    '',
    'Stop with Ctrl-C.',
    '',
  ].join('\n');
}
