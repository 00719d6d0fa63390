import { addDays, startOfDay } from '../dates.js';
import { normalizeId } from '../ids.js';
import {
  fieldOf,
  objectNamed,
  relationshipOf,
  type FieldDef,
  type FieldValue,
  type ObjectDef,
} from '../schema.js';
import type { CompareOp, Condition, FieldRef, Literal, Query } from './ast.js';
import { malformed, SoqlError } from './errors.js';
import { compileLike } from './like.js';

/** A field reached from the queried object: the reference fields followed, then the field itself. */
export interface FieldPath {
  hops: FieldDef[];
  field: FieldDef;
}

/** A literal as the evaluator compares it, for the field it is compared with. */
export type Operand =
  /** Text, number, boolean, null; a `YYYY-MM-DD` date; milliseconds for a datetime field. */
  | { kind: 'value'; value: FieldValue }
  /** A whole day (TODAY, or a date keyword) compared with a datetime field: [start, end) in ms. */
  | { kind: 'day'; start: number; end: number };

export type Filter =
  | { kind: 'and' | 'or'; items: Filter[] }
  | { kind: 'not'; item: Filter }
  | { kind: 'compare'; path: FieldPath; op: CompareOp; operand: Operand }
  | { kind: 'in'; path: FieldPath; negated: boolean; operands: Operand[] }
  | { kind: 'like'; path: FieldPath; matches: (text: string) => boolean };

export interface ResolvedQuery {
  object: ObjectDef;
  /** 'count' for SELECT COUNT(). */
  select: FieldPath[] | 'count';
  where: Filter | null;
  orderBy: { path: FieldPath; descending: boolean; nullsLast: boolean }[];
  limit: number | null;
  offset: number;
}

/** Field types LIKE applies to. */
const LIKE_TYPES = new Set(['string', 'email', 'phone', 'url', 'picklist']);
const FIELD_HINT =
  "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";
const RELATIONSHIP_HINT =
  "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

/**
 * Checks a parsed query against the object model (INVALID_TYPE, INVALID_FIELD) and types its literals
 * for the fields they are compared with (MALFORMED_QUERY when a date is quoted, a string is not, …).
 * `today` (`YYYY-MM-DD`) gives TODAY its day.
 */
export function resolveQuery(query: Query, today: string): ResolvedQuery {
  const object = objectNamed(query.from.text);
  if (!object) {
    throw new SoqlError(
      'INVALID_TYPE',
      `sObject type '${query.from.text}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      query.from.pos,
    );
  }
  const counts = query.select.filter((item) => item.kind === 'count');
  if (counts.length > 0 && query.select.length > 1) {
    throw malformed('COUNT() cannot be selected with other fields', counts[0]?.pos ?? null);
  }
  const select =
    counts.length > 0
      ? 'count'
      : query.select.flatMap((item) => (item.kind === 'field' ? [pathOf(object, item.field)] : []));
  return {
    object,
    select,
    where: query.where ? filterOf(object, query.where, today) : null,
    orderBy: query.orderBy.map((item) => {
      const path = pathOf(object, item.field);
      if (path.field.type === 'textarea') throw cannotUse(item.field, 'ordered');
      return { path, descending: item.descending, nullsLast: item.nullsLast ?? item.descending };
    }),
    limit: query.limit,
    offset: query.offset ?? 0,
  };
}

function pathOf(object: ObjectDef, ref: FieldRef): FieldPath {
  const hops: FieldDef[] = [];
  let current = object;
  for (const part of ref.parts.slice(0, -1)) {
    const hop = relationshipOf(current, part.text);
    const parent = hop?.referenceTo ? objectNamed(hop.referenceTo) : undefined;
    if (!hop || !parent) {
      throw new SoqlError(
        'INVALID_FIELD',
        `Didn't understand relationship '${part.text}' in field path. ${RELATIONSHIP_HINT}`,
        part.pos,
      );
    }
    hops.push(hop);
    current = parent;
  }
  const last = ref.parts[ref.parts.length - 1] as FieldRef['parts'][number];
  const field = fieldOf(current, last.text);
  if (!field) {
    throw new SoqlError(
      'INVALID_FIELD',
      `No such column '${last.text}' on entity '${current.name}'. ${FIELD_HINT}`,
      last.pos,
    );
  }
  return { hops, field };
}

function filterOf(object: ObjectDef, condition: Condition, today: string): Filter {
  switch (condition.kind) {
    case 'and':
    case 'or':
      return { kind: condition.kind, items: condition.items.map((item) => filterOf(object, item, today)) };
    case 'not':
      return { kind: 'not', item: filterOf(object, condition.item, today) };
    case 'compare': {
      const path = filterable(object, condition.field);
      return { kind: 'compare', path, op: condition.op, operand: operandOf(path, condition.value, today) };
    }
    case 'in': {
      const path = filterable(object, condition.field);
      const operands = condition.values.map((value) => operandOf(path, value, today));
      return { kind: 'in', path, negated: condition.negated, operands };
    }
    case 'like': {
      const path = filterable(object, condition.field);
      if (!LIKE_TYPES.has(path.field.type)) {
        throw malformed(
          `invalid operator on field '${fieldText(condition.field)}': LIKE is for text fields`,
          condition.field.pos,
        );
      }
      return { kind: 'like', path, matches: compileLike(condition.pattern.raw) };
    }
  }
}

function filterable(object: ObjectDef, ref: FieldRef): FieldPath {
  const path = pathOf(object, ref);
  if (path.field.type === 'textarea') throw cannotUse(ref, 'filtered');
  return path;
}

function cannotUse(ref: FieldRef, how: 'filtered' | 'ordered'): SoqlError {
  return new SoqlError(
    'INVALID_FIELD',
    `field '${fieldText(ref)}' can not be ${how} in a query call`,
    ref.pos,
  );
}

function fieldText(ref: FieldRef): string {
  return ref.parts.map((p) => p.text).join('.');
}

/** The literal typed for the field, or the error Salesforce gives for a literal of the wrong kind. */
function operandOf(path: FieldPath, literal: Literal, today: string): Operand {
  const { field } = path;
  if (literal.kind === 'null') return { kind: 'value', value: null };
  const wrongType = (type: string, quoted: boolean) =>
    malformed(
      `value of filter criterion for field '${field.name}' must be of type ${type} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
      literal.pos,
    );
  switch (field.type) {
    case 'id':
    case 'reference': {
      if (literal.kind !== 'string') throw wrongType('string', true);
      const id = normalizeId(literal.value);
      if (!id) {
        throw new SoqlError(
          'INVALID_QUERY_FILTER_OPERATOR',
          `invalid ID field: ${literal.value}`,
          literal.pos,
        );
      }
      return { kind: 'value', value: id };
    }
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
      if (literal.kind !== 'string') throw wrongType('string', true);
      return { kind: 'value', value: literal.value };
    case 'double':
    case 'currency':
      if (literal.kind !== 'number') throw wrongType('double', false);
      return { kind: 'value', value: literal.value };
    case 'boolean':
      if (literal.kind !== 'boolean') throw wrongType('boolean', false);
      return { kind: 'value', value: literal.value };
    case 'date':
      if (literal.kind === 'date') return { kind: 'value', value: literal.value };
      if (literal.kind === 'relativeDate') return { kind: 'value', value: addDays(today, literal.days) };
      throw wrongType('date', false);
    case 'datetime':
      if (literal.kind === 'datetime') return { kind: 'value', value: literal.value };
      if (literal.kind === 'relativeDate') {
        const start = startOfDay(addDays(today, literal.days));
        return { kind: 'day', start, end: start + 86_400_000 };
      }
      throw wrongType('dateTime', false);
  }
}
