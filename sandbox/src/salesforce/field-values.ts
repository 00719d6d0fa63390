import { formatDateTime, isValidDate, parseDateTime } from './dates.js';
import { dmlError, noSuchColumn, SalesforceApiError } from './errors.js';
import { normalizeId } from './ids.js';
import type { RecordReader } from './records.js';
import { fieldOf, objectWithPrefix, type FieldDef, type FieldValue, type ObjectDef } from './schema.js';
import type { SfRecord } from './store.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The fields of a create or update body as the org stores them: names made canonical, values checked
 * and converted per field type the way Salesforce does (numbers as text for text fields, `"5"` for
 * numbers, `""` as null). Refuses unknown fields (INVALID_FIELD), read-only ones
 * (INVALID_FIELD_FOR_INSERT_UPDATE) and bad values, with Salesforce's error codes.
 */
export function fieldValuesOf(
  object: ObjectDef,
  body: Record<string, unknown>,
  reader: RecordReader,
): SfRecord {
  const values: SfRecord = {};
  const readOnly: string[] = [];
  for (const [name, raw] of Object.entries(body)) {
    if (name === 'attributes') continue;
    const field = fieldOf(object, name);
    if (!field) throw noSuchColumn(name, object.name);
    if (field.readOnly) {
      readOnly.push(field.name);
      continue;
    }
    values[field.name] = fieldValue(field, raw, reader);
  }
  if (readOnly.length > 0) {
    throw dmlError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  return values;
}

/** One value, checked and converted for its field. */
export function fieldValue(field: FieldDef, raw: unknown, reader: RecordReader): FieldValue {
  if (raw === null || raw === undefined || raw === '') return field.type === 'boolean' ? false : null;
  switch (field.type) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw cannotDeserialize('boolean', raw);
    case 'double':
    case 'currency': {
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(value)) throw cannotDeserialize('double', raw);
      return value;
    }
    case 'date':
      if (typeof raw !== 'string' || !isValidDate(raw)) throw cannotDeserialize('date', raw);
      return raw;
    case 'datetime': {
      const ms = typeof raw === 'string' ? parseDateTime(raw) : null;
      if (ms === null) throw cannotDeserialize('datetime', raw);
      return formatDateTime(ms);
    }
    case 'reference':
      return referenceValue(field, raw, reader);
    case 'id':
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
      return textValue(field, raw);
  }
}

function textValue(field: FieldDef, raw: unknown): string {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    throw cannotDeserialize('string', raw);
  }
  const value = String(raw);
  if (field.length !== undefined && value.length > field.length) {
    throw dmlError(
      'STRING_TOO_LONG',
      `${field.label}: data value too large: ${value} (max length=${field.length})`,
      [field.name],
    );
  }
  if (field.type === 'email' && !EMAIL.test(value)) {
    throw dmlError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [field.name]);
  }
  if (field.picklist?.restricted && !field.picklist.values.includes(value)) {
    throw dmlError(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${field.label}: bad value for restricted picklist field: ${value}`,
      [field.name],
    );
  }
  return value;
}

function referenceValue(field: FieldDef, raw: unknown, reader: RecordReader): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  const id = typeof raw === 'string' ? normalizeId(raw) : null;
  if (!id)
    throw dmlError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${text}`, [field.name]);
  if (objectWithPrefix(id.slice(0, 3))?.name !== field.referenceTo) {
    throw dmlError('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${text}`, [
      field.name,
    ]);
  }
  if (!reader.row(id))
    throw dmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]);
  return id;
}

function cannotDeserialize(type: string, raw: unknown): SalesforceApiError {
  const token = typeof raw === 'string' ? 'VALUE_STRING' : typeof raw === 'object' ? 'START_OBJECT' : 'VALUE';
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return new SalesforceApiError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${type} from ${token} value ${shown} or request may be missing a required field`,
  );
}

/** Equality of two values of a text field the way the org matches them (case-insensitive unless marked). */
export function sameText(field: FieldDef, a: FieldValue, b: FieldValue): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a === b;
  return field.caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase();
}
