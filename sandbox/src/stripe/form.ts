/**
 * Stripe's request encoding: `application/x-www-form-urlencoded` with bracket notation for nesting.
 * `metadata[booking]=B-1` → `{ metadata: { booking: 'B-1' } }`; `expand[]=a&expand[]=b` and
 * `expand[0]=a&expand[1]=b` → `{ expand: ['a', 'b'] }`; `items[0][price]=p` → `{ items: [{ price: 'p' }] }`;
 * `items[][price]=p&items[][qty]=1` groups keys into one element until a key repeats (as Rack does).
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormDecodeError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export function decodeForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(text)) assign(root, parseKey(rawKey), value, rawKey);
  return indexedObjectsToArrays(root) as FormObject;
}

/** `a[b][]` → `['a', 'b', '']` (an empty segment appends to an array). */
function parseKey(rawKey: string): string[] {
  const match = KEY.exec(rawKey);
  if (!match) throw new FormDecodeError(`Invalid parameter name: ${rawKey}`, rawKey);
  const name = match[1] as string;
  const rest = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string);
  const segments = [name, ...rest];
  if (segments.some((s) => FORBIDDEN.has(s)))
    throw new FormDecodeError(`Invalid parameter name: ${rawKey}`, name);
  return segments;
}

function assign(root: FormObject, path: string[], value: string, rawKey: string): void {
  const conflict = () => new FormDecodeError(`Invalid parameter structure: ${rawKey}`, path[0] as string);
  let container: FormObject | FormValue[] = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as string;
    const last = i === path.length - 1;
    const next = path[i + 1];
    if (segment === '') {
      if (!Array.isArray(container)) throw conflict();
      if (last) {
        container.push(value);
        return;
      }
      container = appendTarget(container, next as string, conflict);
      continue;
    }
    if (Array.isArray(container)) throw conflict();
    const existing: FormValue | undefined = Object.hasOwn(container, segment)
      ? container[segment]
      : undefined;
    if (last) {
      if (existing !== undefined && typeof existing !== 'string') throw conflict();
      container[segment] = value;
      return;
    }
    if (existing === undefined) {
      const created: FormObject | FormValue[] = next === '' ? [] : {};
      container[segment] = created;
      container = created;
    } else if (typeof existing === 'string' || Array.isArray(existing) !== (next === '')) {
      throw conflict();
    } else {
      container = existing;
    }
  }
}

/** For `a[][key]`: the last element if it is an object still missing `key`, else a new element. */
function appendTarget(array: FormValue[], key: string, conflict: () => Error): FormObject | FormValue[] {
  if (key === '') throw conflict();
  const last = array[array.length - 1];
  if (last !== undefined && typeof last === 'object' && !Array.isArray(last) && !Object.hasOwn(last, key))
    return last;
  const created: FormObject = {};
  array.push(created);
  return created;
}

/** Objects whose keys are all array indexes (`expand[0]`, `expand[1]`) become arrays, in index order. */
function indexedObjectsToArrays(value: FormValue): FormValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(indexedObjectsToArrays);
  const keys = Object.keys(value);
  const converted = Object.fromEntries(keys.map((k) => [k, indexedObjectsToArrays(value[k] as FormValue)]));
  if (keys.length === 0 || !keys.every((k) => /^(0|[1-9]\d{0,5})$/.test(k))) return converted;
  return keys
    .map(Number)
    .sort((a, b) => a - b)
    .map((index) => converted[String(index)] as FormValue);
}

/** The inverse, for tests and clients: nested values to bracket notation (arrays as `a[0]`). */
export function encodeForm(value: FormObject): string {
  const pairs: [string, string][] = [];
  const walk = (prefix: string, v: FormValue): void => {
    if (typeof v === 'string') pairs.push([prefix, v]);
    else if (Array.isArray(v)) v.forEach((item, i) => walk(`${prefix}[${i}]`, item));
    else for (const [k, item] of Object.entries(v)) walk(prefix ? `${prefix}[${k}]` : k, item);
  };
  walk('', value);
  return new URLSearchParams(pairs).toString();
}
