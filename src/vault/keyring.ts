import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { VaultError } from './seal.js';

/** The master keys: `current` seals; every key in `byId` opens (older keys stay until a rotation ends). */
export interface Keyring {
  current: { id: string; key: Buffer };
  byId: ReadonlyMap<string, Buffer>;
  /** Where the keys came from, for messages (never the keys). */
  source: string;
}

/**
 * Loads the master keys: `SWITCHYARD_MASTER_KEY` (base64 or hex of 32 bytes; several comma-separated,
 * the first seals) or else the key file `<dataDir>/master.key` (one key per line, the first seals),
 * created with mode 0600 on first use. Losing the key loses the credentials: back it up with the
 * database.
 */
export function loadKeyring(options: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  create?: boolean;
}): Keyring {
  const fromEnv = (options.env ?? process.env).SWITCHYARD_MASTER_KEY;
  if (fromEnv?.trim()) return keyringOf(fromEnv.split(','), 'SWITCHYARD_MASTER_KEY');
  const file = keyFilePath(options.dataDir);
  if (!existsSync(file)) {
    if (options.create === false)
      throw new VaultError(`no master key: set SWITCHYARD_MASTER_KEY or create ${file}`);
    createKeyFile(file);
  }
  return keyringOf(readFileSync(file, 'utf8').split('\n'), file);
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, 'master.key');
}

/** Writes the key file atomically with mode 0600 (first key seals). */
export function writeKeyFile(file: string, keys: Buffer[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const next = `${file}.next`;
  writeFileSync(next, keys.map((k) => k.toString('base64')).join('\n') + '\n', { mode: 0o600 });
  chmodSync(next, 0o600);
  renameSync(next, file);
}

/**
 * Creates the key file unless another process just did: the key is written to a private temporary file
 * and hard-linked into place, which fails if the file exists, so concurrent first starts agree on one key.
 */
function createKeyFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function keyringOf(lines: string[], source: string): Keyring {
  const keys = lines
    .map((l) => l.trim())
    .filter(Boolean)
    .map((text) => decodeKey(text, source));
  const first = keys[0];
  if (!first) throw new VaultError(`no master key in ${source}`);
  return {
    current: { id: keyId(first), key: first },
    byId: new Map(keys.map((k) => [keyId(k), k])),
    source,
  };
}

function decodeKey(text: string, source: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new VaultError(`a master key in ${source} is not 32 bytes (base64 or hex)`);
  return key;
}
