import { daysBetween } from './dates.js';
import { objectNamed, type FieldDef, type FieldValue, type ObjectDef } from './schema.js';
import type { RecordStore, SfRecord } from './store.js';

/** A record with the object it belongs to. */
export interface Row {
  object: ObjectDef;
  record: SfRecord;
}

/**
 * Reads records as the org answers them: stored values plus formula and roll-up fields computed on read,
 * and parent records reached through reference fields.
 */
export class RecordReader {
  constructor(private readonly store: RecordStore) {}

  rows(object: ObjectDef): Row[] {
    return this.store.all(object.name).map((record) => ({ object, record }));
  }

  row(id: string): Row | null {
    const stored = this.store.get(id);
    const object = stored ? objectNamed(stored.sobject) : undefined;
    return stored && object ? { object, record: stored.record } : null;
  }

  value(row: Row, field: FieldDef): FieldValue {
    if (field.formula) return this.compute(row, field);
    return row.record[field.name] ?? null;
  }

  /** The parent record a reference field points to, or null. */
  parent(row: Row, reference: FieldDef): Row | null {
    const id = row.record[reference.name];
    return typeof id === 'string' ? this.row(id) : null;
  }

  /** Every field of the record, in the object's field order. */
  full(row: Row): SfRecord {
    return Object.fromEntries(row.object.fields.map((f) => [f.name, this.value(row, f)]));
  }

  private compute(row: Row, field: FieldDef): FieldValue {
    const formula = field.formula;
    if (!formula) return null;
    switch (formula.kind) {
      case 'fullName':
        return [row.record.FirstName, row.record.LastName]
          .filter((part) => typeof part === 'string')
          .join(' ');
      case 'daysBetween': {
        const from = row.record[formula.from];
        const to = row.record[formula.to];
        return typeof from === 'string' && typeof to === 'string' ? daysBetween(from, to) : null;
      }
      case 'sumOfChildren': {
        const child = objectNamed(formula.child);
        const childField = child?.fields.find((f) => f.name === formula.field);
        if (!child || !childField) return null;
        let sum = 0;
        for (const childRow of this.rows(child)) {
          if (childRow.record[formula.foreignKey] !== row.record.Id) continue;
          const value = this.value(childRow, childField);
          if (typeof value === 'number') sum += value;
        }
        return sum;
      }
    }
  }
}
