import type { JsonValue } from '../core/json.js';

const MAX_CHARS = 2048;
const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|authorization|cookie|private[_-]?key|credential/i;

/**
 * What the audit trail keeps of a step's request or response: the value with secret-looking fields
 * redacted, and cut to a preview when it is large. Connection credentials never reach step inputs,
 * this guards against values a recipe passes through by mistake.
 */
export function auditSummary(value: JsonValue | undefined): JsonValue {
  if (value === undefined) return null;
  const redacted = redact(value, 0);
  const text = JSON.stringify(redacted);
  if (text.length <= MAX_CHARS) return redacted;
  return { truncated: true, bytes: text.length, preview: text.slice(0, MAX_CHARS) };
}

function redact(value: JsonValue, depth: number): JsonValue {
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, JsonValue> = {};
  for (const [key, v] of Object.entries(value))
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  return out;
}
