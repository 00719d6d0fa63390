import type { JsonObject, JsonValue } from '../../core/json.js';

/** A driver row as JSON: 64-bit integers as numbers while exact (else strings), bytes as base64, dates as ISO. */
export function toJsonRow(row: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [column, value] of Object.entries(row)) out[column] = toJsonValue(value);
  return out;
}

export function toJsonValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') return toJsonRow(value as Record<string, unknown>);
  return String(value);
}
