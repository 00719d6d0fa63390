import { formatDateTime } from './dates.js';
import { dmlError, notFound, SalesforceApiError } from './errors.js';
import { fieldValue, fieldValuesOf, sameText } from './field-values.js';
import { normalizeId, recordId } from './ids.js';
import type { RecordReader, Row } from './records.js';
import { fieldOf, isMatchField, OBJECTS, type FieldDef, type ObjectDef } from './schema.js';
import type { RecordStore, SfRecord } from './store.js';

export type UpsertResult = { kind: 'created' | 'updated'; id: string } | { kind: 'multiple'; ids: string[] };

/**
 * Creates, updates, upserts and deletes records with the org's rules: defaults, required fields, unique
 * fields, auto-numbers, audit dates, and master-detail cascade on delete. Each operation checks everything
 * before it writes, in one SQLite transaction.
 */
export class Dml {
  constructor(
    private readonly store: RecordStore,
    private readonly reader: RecordReader,
    private readonly now: () => number,
  ) {}

  create(object: ObjectDef, body: Record<string, unknown>): string {
    return this.insert(object, fieldValuesOf(object, body, this.reader));
  }

  update(object: ObjectDef, id: string, body: Record<string, unknown>): void {
    const existing = this.existing(object, id);
    this.replace(object, existing.record, fieldValuesOf(object, body, this.reader));
  }

  /** Matches by `fieldName` = `value`: creates when none match, updates one, refuses several. */
  upsert(object: ObjectDef, fieldName: string, value: string, body: Record<string, unknown>): UpsertResult {
    const field = fieldOf(object, fieldName);
    if (!field || !isMatchField(field)) {
      throw new SalesforceApiError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${fieldName}`,
      );
    }
    const changes = fieldValuesOf(object, withoutField(body, field), this.reader);
    if (field.name === 'Id') {
      const existing = this.existing(object, value);
      this.replace(object, existing.record, changes);
      return { kind: 'updated', id: existing.record.Id as string };
    }
    const key = fieldValue(field, value, this.reader);
    const given = Object.entries(body).find(([name]) => name.toLowerCase() === field.name.toLowerCase());
    if (given && !sameText(field, fieldValue(field, given[1], this.reader), key)) {
      throw dmlError(
        'INVALID_FIELD',
        `${field.name}: the value in the body differs from the one in the URL`,
        [field.name],
      );
    }
    return this.store.transaction(() => {
      const matches = this.reader
        .rows(object)
        .filter((row) => sameText(field, row.record[field.name] ?? null, key));
      if (matches.length > 1) return { kind: 'multiple', ids: matches.map((row) => row.record.Id as string) };
      const [match] = matches;
      if (match) {
        this.replace(object, match.record, changes);
        return { kind: 'updated', id: match.record.Id as string };
      }
      return { kind: 'created', id: this.insert(object, { ...changes, [field.name]: key }) };
    });
  }

  delete(object: ObjectDef, id: string): void {
    const existing = this.existing(object, id);
    this.store.transaction(() => this.deleteCascading(existing));
  }

  /** The record of this object with this id (15 or 18 characters), or 404. */
  existing(object: ObjectDef, id: string): Row {
    const normalized = normalizeId(id);
    const row = normalized ? this.reader.row(normalized) : null;
    if (!row || row.object.name !== object.name) throw notFound();
    return row;
  }

  private insert(object: ObjectDef, values: SfRecord): string {
    const record: SfRecord = {};
    for (const field of object.fields) {
      if (field.defaultValue !== undefined && values[field.name] === undefined) {
        record[field.name] = field.defaultValue;
      }
    }
    Object.assign(record, values);
    this.checkRequired(object, record, object.fields);
    return this.store.transaction(() => {
      this.checkUnique(object, record, null);
      const seq = this.store.nextSequence(object.name);
      const at = formatDateTime(this.now());
      const id = recordId(object.keyPrefix, seq);
      for (const field of object.fields) {
        if (field.autoNumber) record[field.name] = autoNumber(field, seq);
      }
      const stored = { Id: id, CreatedDate: at, LastModifiedDate: at, SystemModstamp: at, ...record };
      this.store.insert(object.name, seq, stored);
      return id;
    });
  }

  private replace(object: ObjectDef, current: SfRecord, changes: SfRecord): void {
    const changed = object.fields.filter((f) => f.name in changes);
    const record = { ...current, ...changes };
    this.checkRequired(object, record, changed);
    this.store.transaction(() => {
      this.checkUnique(object, record, current.Id as string);
      const at = formatDateTime(this.now());
      this.store.update({ ...record, LastModifiedDate: at, SystemModstamp: at });
    });
  }

  private checkRequired(object: ObjectDef, record: SfRecord, fields: readonly FieldDef[]): void {
    const missing = fields
      .filter((f) => f.required && !f.readOnly && (record[f.name] ?? null) === null)
      .map((f) => f.name);
    if (missing.length > 0) {
      throw dmlError(
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${missing.join(', ')}]`,
        missing,
      );
    }
  }

  private checkUnique(object: ObjectDef, record: SfRecord, selfId: string | null): void {
    for (const field of object.fields.filter((f) => f.unique)) {
      const value = record[field.name] ?? null;
      if (value === null) continue;
      const other = this.store
        .all(object.name)
        .find((r) => r.Id !== selfId && sameText(field, r[field.name] ?? null, value));
      if (other) {
        throw dmlError(
          'DUPLICATE_VALUE',
          `duplicate value found: ${field.name} duplicates value on record with id: ${String(other.Id)}`,
        );
      }
    }
  }

  /** Deletes the record, its master-detail children, and clears lookups that pointed at it. */
  private deleteCascading(row: Row): void {
    const id = row.record.Id as string;
    this.store.delete(id);
    for (const object of OBJECTS) {
      const references = object.fields.filter((f) => f.referenceTo === row.object.name);
      if (references.length === 0) continue;
      for (const child of this.reader.rows(object)) {
        const pointing = references.filter((f) => child.record[f.name] === id);
        if (pointing.length === 0) continue;
        if (pointing.some((f) => f.masterDetail)) {
          this.deleteCascading(child);
          continue;
        }
        for (const f of pointing) child.record[f.name] = null;
        this.store.update(child.record);
      }
    }
  }
}

function autoNumber(field: FieldDef, seq: number): string {
  const { format, start } = field.autoNumber as NonNullable<FieldDef['autoNumber']>;
  return format.replace(/\{(0+)\}/, (_all, zeros: string) =>
    String(start + seq - 1).padStart(zeros.length, '0'),
  );
}

function withoutField(body: Record<string, unknown>, field: FieldDef): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).filter(([name]) => name.toLowerCase() !== field.name.toLowerCase()),
  );
}
