import { invalidParam, invalidRequest, missingParam, unknownParam } from './errors.js';
import type { FormObject, FormValue } from './form.js';

/** Readers for decoded request params that fail as Stripe does (400 with the offending `param`). */

export function allowOnly(params: FormObject, allowed: readonly string[]): void {
  for (const name of Object.keys(params)) if (!allowed.includes(name)) throw unknownParam(name);
}

export function optionalString(params: FormObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParam(name, `Invalid string: ${JSON.stringify(value)}`);
  return value;
}

export function requiredString(params: FormObject, name: string): string {
  const value = optionalString(params, name);
  if (value === undefined || value === '') throw missingParam(name);
  return value;
}

export function optionalInteger(
  params: FormObject,
  name: string,
  range: { min?: number; max?: number } = {},
): number | undefined {
  const raw = optionalString(params, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(raw))
    throw invalidParam(name, `Invalid integer: ${raw}`, 'parameter_invalid_integer');
  const value = Number(raw);
  if (range.min !== undefined && value < range.min)
    throw invalidParam(
      name,
      `This value must be greater than or equal to ${range.min}.`,
      'parameter_invalid_integer',
    );
  if (range.max !== undefined && value > range.max)
    throw invalidParam(
      name,
      `This value must be less than or equal to ${range.max}.`,
      'parameter_invalid_integer',
    );
  return value;
}

export function optionalBoolean(params: FormObject, name: string): boolean | undefined {
  const raw = optionalString(params, name);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw invalidParam(name, `Invalid boolean: ${raw}`);
  return raw === 'true';
}

export function optionalEnum<T extends string>(
  params: FormObject,
  name: string,
  values: readonly T[],
): T | undefined {
  const raw = optionalString(params, name);
  if (raw === undefined) return undefined;
  if (!(values as readonly string[]).includes(raw))
    throw invalidParam(
      name,
      `Invalid ${name}: must be one of ${values.join(', ')}`,
      'parameter_invalid_enum',
    );
  return raw as T;
}

/**
 * `metadata[key]=value` pairs. An empty value deletes the key on update; `metadata=` (empty) clears all.
 * Returns null for "clear all", undefined when absent. Limits as Stripe's: 50 keys, 40-char keys,
 * 500-char values.
 */
export function optionalMetadata(params: FormObject): Record<string, string> | null | undefined {
  const value = params.metadata;
  if (value === undefined) return undefined;
  if (value === '') return null;
  if (typeof value === 'string') throw invalidRequest('Invalid object', { param: 'metadata' });
  const entries = Object.entries(value);
  if (entries.length > 50) throw invalidRequest('Metadata can have at most 50 keys.', { param: 'metadata' });
  const metadata: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (typeof item !== 'string') throw invalidRequest('Invalid object', { param: `metadata[${key}]` });
    if (key.length > 40)
      throw invalidRequest('Metadata keys can be at most 40 characters.', { param: `metadata[${key}]` });
    if (item.length > 500)
      throw invalidRequest('Metadata values can be at most 500 characters.', { param: `metadata[${key}]` });
    metadata[key] = item;
  }
  return metadata;
}

/** Applies a metadata update: keys with '' are removed, null clears everything. */
export function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string> | null | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const merged = { ...current, ...update };
  for (const [key, value] of Object.entries(update)) if (value === '') delete merged[key];
  return merged;
}

/** `expand[]=a&expand[]=b.c` (a single `expand=a` is accepted too). */
export function expandPaths(params: FormObject): string[] {
  const value: FormValue | undefined = params.expand;
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (!list || list.some((item) => typeof item !== 'string'))
    throw invalidRequest('Invalid array', { param: 'expand' });
  return list as string[];
}

export function optionalHash(params: FormObject, name: string): FormObject | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string' || Array.isArray(value))
    throw invalidRequest('Invalid hash', { param: name });
  return value;
}
