import { parseDateTime } from '../dates.js';
import type { Row } from '../records.js';
import type { FieldDef, FieldValue, ObjectDef } from '../schema.js';
import type { FieldPath, Filter, Operand, ResolvedQuery } from './resolve.js';

/** Where a query reads records from (the RecordReader). */
export interface RecordSource {
  rows(object: ObjectDef): Row[];
  value(row: Row, field: FieldDef): FieldValue;
  parent(row: Row, reference: FieldDef): Row | null;
}

/** A result record in Salesforce's shape: `attributes`, then the selected fields, parents nested. */
export type ResultRecord = { attributes: { type: string; url: string } } & Record<string, unknown>;

/**
 * The rows a resolved query selects: filtered by WHERE, ordered by ORDER BY (stable, otherwise in creation
 * order), then OFFSET and LIMIT. Comparisons follow SOQL: text compares without regard to case, `!=` and
 * NOT IN include blank values, `= null` finds them.
 */
export function selectRows(query: ResolvedQuery, source: RecordSource): Row[] {
  let rows = source.rows(query.object);
  const where = query.where;
  if (where) rows = rows.filter((row) => test(where, row, source));
  if (query.orderBy.length > 0) {
    rows = [...rows].sort((a, b) => {
      for (const key of query.orderBy) {
        const x = valueAt(source, a, key.path);
        const y = valueAt(source, b, key.path);
        if (x === null || y === null) {
          if (x === y) continue;
          return (x === null) === key.nullsLast ? 1 : -1;
        }
        const order = compareValues(key.path.field, x, y);
        if (order !== 0) return key.descending ? -order : order;
      }
      return 0;
    });
  }
  const end = query.limit === null ? undefined : query.offset + query.limit;
  return rows.slice(query.offset, end);
}

/** The selected fields of a row, relationship fields as nested records (null when the reference is blank). */
export function projectRow(
  paths: readonly FieldPath[],
  row: Row,
  source: RecordSource,
  urlOf: (row: Row) => string,
): ResultRecord {
  const out: ResultRecord = { attributes: { type: row.object.name, url: urlOf(row) } };
  for (const path of paths) {
    let target: Record<string, unknown> | null = out;
    let current: Row | null = row;
    for (const hop of path.hops) {
      const name = hop.relationshipName as string;
      current = current ? source.parent(current, hop) : null;
      if (!(name in target)) {
        target[name] = current ? { attributes: { type: current.object.name, url: urlOf(current) } } : null;
      }
      target = target[name] as Record<string, unknown> | null;
      if (!target || !current) break;
    }
    if (target && current) target[path.field.name] = source.value(current, path.field);
  }
  return out;
}

function valueAt(source: RecordSource, row: Row, path: FieldPath): FieldValue {
  let current: Row | null = row;
  for (const hop of path.hops) current = current ? source.parent(current, hop) : null;
  return current ? source.value(current, path.field) : null;
}

function test(filter: Filter, row: Row, source: RecordSource): boolean {
  switch (filter.kind) {
    case 'and':
      return filter.items.every((item) => test(item, row, source));
    case 'or':
      return filter.items.some((item) => test(item, row, source));
    case 'not':
      return !test(filter.item, row, source);
    case 'compare':
      return compare(filter.path.field, valueAt(source, row, filter.path), filter.op, filter.operand);
    case 'in': {
      const actual = valueAt(source, row, filter.path);
      const found = filter.operands.some((operand) => compare(filter.path.field, actual, '=', operand));
      return filter.negated ? !found : found;
    }
    case 'like': {
      const actual = valueAt(source, row, filter.path);
      return typeof actual === 'string' && filter.matches(actual);
    }
  }
}

function compare(field: FieldDef, actual: FieldValue, op: string, operand: Operand): boolean {
  if (operand.kind === 'day') {
    const ms = typeof actual === 'string' ? parseDateTime(actual) : null;
    if (ms === null) return op === '!=';
    const inDay = ms >= operand.start && ms < operand.end;
    if (op === '=') return inDay;
    if (op === '!=') return !inDay;
    if (op === '<') return ms < operand.start;
    if (op === '<=') return ms < operand.end;
    if (op === '>') return ms >= operand.end;
    return ms >= operand.start;
  }
  const expected = operand.value;
  if (actual === null || expected === null) {
    if (op === '=') return actual === expected;
    if (op === '!=') return actual !== expected;
    return false;
  }
  const order = compareValues(field, actual, expected);
  switch (op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

/** Orders two non-blank values of a field: text without regard to case (ids exactly), datetimes by time. */
function compareValues(field: FieldDef, a: FieldValue, b: FieldValue): number {
  const key = (value: FieldValue): string | number => {
    if (field.type === 'datetime' && typeof value === 'string') return parseDateTime(value) ?? 0;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (typeof value === 'string' && field.type !== 'id' && field.type !== 'reference')
      return value.toLowerCase();
    return value as string | number;
  };
  const x = key(a);
  const y = key(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
