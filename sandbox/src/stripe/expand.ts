import { invalidRequest } from './errors.js';
import type { ObjectStore, StripeObject } from './store.js';

/** Which id fields of which objects `expand[]` may replace with the object, and that object's type. */
const EXPANDABLE: Record<string, Record<string, string>> = {
  customer: {},
  payment_intent: { customer: 'customer', latest_charge: 'charge', payment_method: 'payment_method' },
  charge: { customer: 'customer', payment_intent: 'payment_intent' },
  refund: { charge: 'charge', payment_intent: 'payment_intent' },
  payment_method: { customer: 'customer' },
};
const MAX_DEPTH = 4;

/** Refuses paths Stripe would refuse; list endpoints take `data.`-prefixed paths. */
export function checkExpandable(object: string, paths: string[], list = false): void {
  for (const path of paths) {
    const fields = path.split('.');
    if (list && fields.shift() !== 'data') throw notExpandable(path.split('.')[0] as string);
    if (fields.length > MAX_DEPTH)
      throw invalidRequest(`You cannot expand more than ${MAX_DEPTH} levels of a property.`, {
        param: 'expand',
      });
    let type = object;
    for (const field of fields) {
      const next = EXPANDABLE[type]?.[field];
      if (!next) throw notExpandable(field);
      type = next;
    }
  }
}

export function expandObject<T extends StripeObject>(value: T, paths: string[], store: ObjectStore): T {
  if (paths.length === 0) return value;
  const copy: Record<string, unknown> = { ...value };
  for (const [field, rest] of groupByFirstField(paths)) {
    const ref = copy[field];
    const target = typeof ref === 'string' ? store.get(ref) : (ref as StripeObject | null);
    if (target) copy[field] = expandObject(target, rest, store);
  }
  return copy as T;
}

export function expandList<T extends StripeObject>(data: T[], paths: string[], store: ObjectStore): T[] {
  const itemPaths = paths.map((p) => p.slice('data.'.length));
  return data.map((item) => expandObject(item, itemPaths, store));
}

function groupByFirstField(paths: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const path of paths) {
    const [first, ...rest] = path.split('.');
    const group = groups.get(first as string) ?? [];
    if (rest.length > 0) group.push(rest.join('.'));
    groups.set(first as string, group);
  }
  return groups;
}

function notExpandable(field: string) {
  return invalidRequest(`This property cannot be expanded (${field}).`, { param: 'expand' });
}
