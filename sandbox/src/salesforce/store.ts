import type { StateDb } from '../shared/state.js';
import type { FieldValue } from './schema.js';

/** A record as stored: canonical field names to values; always has `Id`. Formula fields are not stored. */
export type SfRecord = Record<string, FieldValue>;

export interface StoredRecord {
  sobject: string;
  record: SfRecord;
}

/**
 * The org's records in the emulator's SQLite state: one row per record (its fields as JSON), in creation
 * order, plus a per-object counter for ids and auto-numbers. Queries read an object's rows and filter
 * in memory: the Dewy Resort org is small.
 */
export class RecordStore {
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;
  private readonly selectRow;
  private readonly selectObject;
  private readonly bumpSequence;
  private readonly selectMeta;
  private readonly insertMeta;

  constructor(private readonly db: StateDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS sf_records (
      id TEXT PRIMARY KEY, sobject TEXT NOT NULL, seq INTEGER NOT NULL, fields TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS sf_records_by_object ON sf_records (sobject, seq);
      CREATE TABLE IF NOT EXISTS sf_sequences (sobject TEXT PRIMARY KEY, last INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sf_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.insertRow = db.prepare('INSERT INTO sf_records (id, sobject, seq, fields) VALUES (?, ?, ?, ?)');
    this.updateRow = db.prepare('UPDATE sf_records SET fields = ? WHERE id = ?');
    this.deleteRow = db.prepare('DELETE FROM sf_records WHERE id = ?');
    this.selectRow = db.prepare<[string], { sobject: string; fields: string }>(
      'SELECT sobject, fields FROM sf_records WHERE id = ?',
    );
    this.selectObject = db.prepare<[string], { fields: string }>(
      'SELECT fields FROM sf_records WHERE sobject = ? ORDER BY seq',
    );
    this.bumpSequence = db.prepare<[string], { last: number }>(
      `INSERT INTO sf_sequences (sobject, last) VALUES (?, 1)
       ON CONFLICT (sobject) DO UPDATE SET last = last + 1 RETURNING last`,
    );
    this.selectMeta = db.prepare<[string], { value: string }>('SELECT value FROM sf_meta WHERE key = ?');
    this.insertMeta = db.prepare('INSERT OR REPLACE INTO sf_meta (key, value) VALUES (?, ?)');
  }

  /** The next number of this object's records (1, 2, …): the base of its id and auto-numbers. */
  nextSequence(sobject: string): number {
    return (this.bumpSequence.get(sobject) as { last: number }).last;
  }

  insert(sobject: string, seq: number, record: SfRecord): void {
    this.insertRow.run(record.Id, sobject, seq, JSON.stringify(record));
  }

  update(record: SfRecord): void {
    this.updateRow.run(JSON.stringify(record), record.Id);
  }

  delete(id: string): void {
    this.deleteRow.run(id);
  }

  get(id: string): StoredRecord | null {
    const row = this.selectRow.get(id);
    return row ? { sobject: row.sobject, record: JSON.parse(row.fields) as SfRecord } : null;
  }

  /** Every record of the object, in creation order. */
  all(sobject: string): SfRecord[] {
    return this.selectObject.all(sobject).map((row) => JSON.parse(row.fields) as SfRecord);
  }

  meta(key: string): string | null {
    return this.selectMeta.get(key)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.insertMeta.run(key, value);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
