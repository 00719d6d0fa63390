import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * Turns what JSONata returns into plain JSON. JSONata hands back sequences (arrays tagged with extra
 * properties), `undefined` for "no match", functions, and objects that may share structure with the
 * scope; everything downstream (journal, connectors, wire) wants fresh, plain JSON.
 *
 * `undefined` becomes `null` at the top and inside arrays, and drops the key inside objects (as JSON
 * does). A function or a non-finite number is a mistake in the expression: `fail` is told what it was.
 */
export function toJson(value: unknown, fail: (problem: string) => never): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number')
    return Number.isFinite(value) ? value : fail(`gave the non-finite number ${String(value)}`);
  if (typeof value === 'function') return fail('gave a function, not a value (a missing "()"?)');
  if (typeof value !== 'object') return fail(`gave a ${typeof value}, not a JSON value`);
  if (Array.isArray(value)) return value.map((item: unknown) => toJson(item, fail));
  const record = value as Record<string, unknown>;
  if (record._jsonata_lambda === true || record._jsonata_function === true)
    return fail('gave a function, not a value (a missing "()"?)');
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(record)) {
    if (item !== undefined) out[key] = toJson(item, fail);
  }
  return out;
}

/** How a template part reads inside text: strings as is, null as nothing, anything else as JSON. */
export function asText(value: JsonValue): string {
  if (value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * JSONata's truthiness (`$boolean`), used for `when:`: null, false, 0, "" and empty arrays and objects
 * are false; an array is true when any member is.
 */
export function isTruthy(value: JsonValue): boolean {
  if (value === null) return false;
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}
