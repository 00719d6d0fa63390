/**
 * The Dewy Resort sandbox: the Salesforce, Stripe and Twilio emulators together, each with its own state
 * file in one data directory. `node dist/sandbox/main.js --help` for the flags; prints one JSON line with
 * the three URLs when ready and stops cleanly on SIGTERM/SIGINT.
 */
import { chmodSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startSalesforceEmulator } from './salesforce/index.js';
import { behaviourFor, type LatencyProfile } from './shared/behaviour.js';
import { SANDBOX_CREDENTIALS } from './shared/credentials.js';
import type { EmulatorServer } from './shared/http.js';
import { startStripeEmulator } from './stripe/index.js';
import { startTwilioEmulator } from './twilio/index.js';

export interface SandboxOptions {
  /** Where the state files go (`salesforce.sqlite`, `stripe.sqlite`, `twilio.sqlite`). */
  dataDir: string;
  latency: LatencyProfile;
  /** 0 (the default) for ephemeral ports. */
  ports?: { salesforce?: number; stripe?: number; twilio?: number };
  /** Lifetime of Salesforce access tokens; the emulator's default when absent. */
  tokenTtlMs?: number;
}

export interface Sandbox {
  salesforce: string;
  stripe: string;
  twilio: string;
  latency: LatencyProfile;
  close(): Promise<void>;
}

export const DEFAULT_DATA_DIR = path.join('.switchyard', 'sandbox');

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const common = (system: 'salesforce' | 'stripe' | 'twilio') => ({
    port: options.ports?.[system] ?? 0,
    stateFile: path.join(options.dataDir, `${system}.sqlite`),
    behaviour: behaviourFor(system, options.latency),
  });
  const started: EmulatorServer[] = [];
  const closeAll = async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  };
  try {
    const salesforce = await startSalesforceEmulator({
      ...common('salesforce'),
      ...(options.tokenTtlMs !== undefined ? { accessTokenTtlMs: options.tokenTtlMs } : {}),
    });
    started.push(salesforce);
    const stripe = await startStripeEmulator(common('stripe'));
    started.push(stripe);
    const twilio = await startTwilioEmulator(common('twilio'));
    started.push(twilio);
    writeCredentialsFile(options.dataDir);
    return {
      salesforce: salesforce.url,
      stripe: stripe.url,
      twilio: twilio.url,
      latency: options.latency,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The emulators' credentials, in the secret fields the Switchyard connectors declare, written with mode
 * 0600 beside the state files: `switchyard demo` seals them into its vault from here, so they never
 * travel through argv, logs or output.
 */
function writeCredentialsFile(dataDir: string): void {
  const c = SANDBOX_CREDENTIALS;
  const file = path.join(dataDir, 'credentials.json');
  const credentials = {
    salesforce: { client_id: c.salesforce.clientId, client_secret: c.salesforce.clientSecret },
    stripe: { secret_key: c.stripe.secretKey },
    twilio: { account_sid: c.twilio.accountSid, auth_token: c.twilio.authToken },
  };
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
}

const USAGE =
  'usage: node dist/sandbox/main.js [--data-dir DIR] [--latency fast|realistic] [--salesforce-port N] [--stripe-port N] [--twilio-port N] [--token-ttl MS]';

export class UsageError extends Error {}

/** The CLI flags as SandboxOptions (null for --help); throws UsageError with a one-line reason. */
export function parseSandboxArgs(args: string[]): SandboxOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        latency: { type: 'string' },
        'salesforce-port': { type: 'string' },
        'stripe-port': { type: 'string' },
        'twilio-port': { type: 'string' },
        'token-ttl': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs explains at length; its first sentence names the problem.
    throw new UsageError(((error as Error).message.split(/\.(\s|$)/)[0] ?? '').trim());
  }
  if (values.help) return null;
  const latency = values.latency ?? 'fast';
  if (latency !== 'fast' && latency !== 'realistic')
    throw new UsageError(`--latency must be fast or realistic, not '${latency}'`);
  const port = (flag: string, value: string | undefined): number => {
    if (value === undefined) return 0;
    if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
      throw new UsageError(`--${flag} must be a port number (0–65535), not '${value}'`);
    return Number(value);
  };
  const ttl = values['token-ttl'];
  if (ttl !== undefined && !/^[1-9]\d*$/.test(ttl))
    throw new UsageError(`--token-ttl must be a positive number of milliseconds, not '${ttl}'`);
  return {
    dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR,
    latency,
    ports: {
      salesforce: port('salesforce-port', values['salesforce-port']),
      stripe: port('stripe-port', values['stripe-port']),
      twilio: port('twilio-port', values['twilio-port']),
    },
    ...(ttl !== undefined ? { tokenTtlMs: Number(ttl) } : {}),
  };
}

async function main(): Promise<void> {
  let options: SandboxOptions | null;
  try {
    options = parseSandboxArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`sandbox: ${(error as Error).message}. ${USAGE}\n`);
    process.exit(2);
  }
  if (!options) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sandbox = await startSandbox(options).catch((error: Error) => {
    process.stderr.write(`sandbox: could not start: ${error.message}\n`);
    process.exit(1);
  });
  const { salesforce, stripe, twilio, latency } = sandbox;
  process.stdout.write(`${JSON.stringify({ msg: 'sandbox ready', salesforce, stripe, twilio, latency })}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`sandbox: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) await main();
