import { createHash, randomFillSync } from 'node:crypto';

// Random bytes drawn from the CSPRNG in blocks: one call per 128 ids rather than one per id.
const pool = Buffer.alloc(1280);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += bytes;
  return pool.toString('hex', poolOffset - bytes, poolOffset);
}

/**
 * Call ids are unguessable (they double as task ids) and sort roughly by creation time:
 * `call_` + 48-bit millisecond timestamp (base32) + 80 random bits.
 */
export function newCallId(now: number = Date.now()): string {
  return `call_${now.toString(32).padStart(10, '0')}${randomHex(10)}`;
}

/**
 * An ask's token, the `requestState` a client echoes back to answer it: 192 random bits, so it cannot be
 * guessed, and nothing but a lookup in the store gives it meaning.
 */
export function newAskToken(): string {
  return `ask_${randomHex(24)}`;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomHex(12)}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The idempotency key a connector receives for one step of one call. */
export function stepKey(callId: string, stepPath: string): string {
  return `${callId}:${stepPath}`;
}
