import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.js';

/**
 * AES-256-GCM with a random 96-bit nonce. The additional data binds a sealed value to where it belongs
 * (workspace, connection id, purpose): moved to another row, it no longer opens. The format names the
 * key that sealed it, so values sealed before a key rotation still open while it runs:
 * `v1.<key id>.<nonce>.<ciphertext>.<tag>` (base64url parts).
 */
export function seal(keyring: Keyring, plaintext: string, binding: SealBinding): string {
  const { id, key } = keyring.current;
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad(binding));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    id,
    nonce.toString('base64url'),
    ciphertext.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

/** Opens a sealed value; throws VaultError when the key is unknown or the value was tampered with or moved. */
export function unseal(keyring: Keyring, sealed: string, binding: SealBinding): string {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1') throw new VaultError('a sealed value has an unknown format');
  const [, keyId, nonce, ciphertext, tag] = parts as [string, string, string, string, string];
  const key = keyring.byId.get(keyId);
  if (!key) throw new VaultError(`a value is sealed with master key ${keyId}, which is not configured`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new VaultError(
      'a sealed value does not open: wrong key, tampered, or not sealed for this connection',
    );
  }
}

/** The key id inside a sealed value. */
export function sealedKeyId(sealed: string): string | null {
  const parts = sealed.split('.');
  return parts.length === 5 ? (parts[1] ?? null) : null;
}

export interface SealBinding {
  workspace: string;
  connectionId: string;
  purpose: 'secrets' | 'token';
}

function aad(b: SealBinding): Buffer {
  return Buffer.from(`switchyard/v1/${b.workspace}/${b.connectionId}/${b.purpose}`, 'utf8');
}

/** A vault failure; its message never contains a secret. */
export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}
