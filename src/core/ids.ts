import { createHash, randomBytes } from 'node:crypto';

/**
 * Call ids are unguessable (they double as task ids) and sort roughly by creation time:
 * `call_` + 48-bit millisecond timestamp (base32) + 80 random bits.
 */
export function newCallId(now: number = Date.now()): string {
  return `call_${now.toString(32).padStart(10, '0')}${randomBytes(10).toString('hex')}`;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The idempotency key a connector receives for one step of one call. */
export function stepKey(callId: string, stepPath: string): string {
  return `${callId}:${stepPath}`;
}
