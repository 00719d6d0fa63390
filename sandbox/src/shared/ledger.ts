import type { StateDb } from './state.js';

/** One state-changing request an emulator executed. */
export interface Effect {
  seq: number;
  system: string;
  /** e.g. `payment_intents.confirm`, `sobject.update Booking__c`, `messages.create`. */
  operation: string;
  /** The Idempotency-Key (or external id) the request carried, if any. */
  idempotencyKey: string | null;
  /** The id of the record created or changed. */
  target: string | null;
  at: number;
}

/**
 * The effects ledger: every state-changing request an emulator executed, in order, kept in the
 * emulator's own state file. Tests and benchmarks read it (`GET /_sandbox/ledger`) to count external
 * side effects, e.g. that a retried checkout charged once.
 */
export class Ledger {
  private readonly insert;
  private readonly list;

  constructor(
    db: StateDb,
    private readonly system: string,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS sandbox_ledger (
      seq INTEGER PRIMARY KEY, system TEXT NOT NULL, operation TEXT NOT NULL, idempotency_key TEXT,
      target TEXT, at INTEGER NOT NULL)`);
    this.insert = db.prepare(
      'INSERT INTO sandbox_ledger (system, operation, idempotency_key, target, at) VALUES (?, ?, ?, ?, ?)',
    );
    this.list = db.prepare<
      [number],
      {
        seq: number;
        system: string;
        operation: string;
        idempotency_key: string | null;
        target: string | null;
        at: number;
      }
    >('SELECT * FROM sandbox_ledger WHERE seq > ? ORDER BY seq');
  }

  record(operation: string, idempotencyKey: string | null, target: string | null): void {
    this.insert.run(this.system, operation, idempotencyKey, target, Date.now());
  }

  entries(afterSeq = 0): Effect[] {
    return this.list.all(afterSeq).map((row) => ({
      seq: row.seq,
      system: row.system,
      operation: row.operation,
      idempotencyKey: row.idempotency_key,
      target: row.target,
      at: row.at,
    }));
  }
}
