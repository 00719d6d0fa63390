import type { StateDb } from '../shared/state.js';

/** A Stripe API object as stored and returned (`id`, `object`, `created`, …). */
export interface StripeObject {
  id: string;
  object: string;
  created: number;
  [field: string]: unknown;
}

export interface ListFilter {
  /** Exact match on the object's `email`, `customer`, `payment_intent` or `charge` field. */
  email?: string;
  customer?: string;
  payment_intent?: string;
  charge?: string;
}

export interface Page {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

const FILTER_COLUMNS = ['email', 'customer', 'payment_intent', 'charge'] as const;

/**
 * The emulator's Stripe objects, one JSON document per row, with the fields lists filter on copied
 * into columns. Lists come newest first (insertion order), as Stripe's do.
 */
export class ObjectStore {
  private readonly insertRow;
  private readonly updateRow;
  private readonly selectRow;
  private readonly seqOf;

  constructor(private readonly db: StateDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS stripe_objects (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, object TEXT NOT NULL, email TEXT, customer TEXT,
      payment_intent TEXT, charge TEXT, body TEXT NOT NULL)`);
    this.insertRow = db.prepare(
      `INSERT INTO stripe_objects (id, object, email, customer, payment_intent, charge, body)
       VALUES (@id, @object, @email, @customer, @payment_intent, @charge, @body)`,
    );
    this.updateRow = db.prepare(
      `UPDATE stripe_objects SET email = @email, customer = @customer, payment_intent = @payment_intent,
       charge = @charge, body = @body WHERE id = @id`,
    );
    this.selectRow = db.prepare<[string], { body: string }>('SELECT body FROM stripe_objects WHERE id = ?');
    this.seqOf = db.prepare<[string], { seq: number }>('SELECT seq FROM stripe_objects WHERE id = ?');
  }

  get<T extends StripeObject = StripeObject>(id: string, object?: string): T | null {
    const row = this.selectRow.get(id);
    if (!row) return null;
    const value = JSON.parse(row.body) as T;
    return object === undefined || value.object === object ? value : null;
  }

  insert(value: StripeObject): void {
    this.insertRow.run(this.row(value));
  }

  update(value: StripeObject): void {
    this.updateRow.run(this.row(value));
  }

  list<T extends StripeObject>(
    object: string,
    filter: ListFilter,
    page: Page,
  ): { data: T[]; hasMore: boolean } {
    const where = ['object = ?'];
    const args: (string | number)[] = [object];
    for (const column of FILTER_COLUMNS) {
      const value = filter[column];
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    const cursor = page.endingBefore ?? page.startingAfter;
    if (cursor !== undefined) {
      const seq = this.seqOf.get(cursor)?.seq ?? 0;
      where.push(page.endingBefore !== undefined ? 'seq > ?' : 'seq < ?');
      args.push(seq);
    }
    const order = page.endingBefore !== undefined ? 'ASC' : 'DESC';
    const rows = this.db
      .prepare<(string | number)[], { body: string }>(
        `SELECT body FROM stripe_objects WHERE ${where.join(' AND ')} ORDER BY seq ${order} LIMIT ?`,
      )
      .all(...args, page.limit + 1);
    const hasMore = rows.length > page.limit;
    const data = rows.slice(0, page.limit).map((r) => JSON.parse(r.body) as T);
    return { data: page.endingBefore !== undefined ? data.reverse() : data, hasMore };
  }

  isEmpty(): boolean {
    return this.db.prepare('SELECT 1 FROM stripe_objects LIMIT 1').get() === undefined;
  }

  private row(value: StripeObject): Record<string, string | null> {
    const text = (field: string) => (typeof value[field] === 'string' ? (value[field] as string) : null);
    return {
      id: value.id,
      object: value.object,
      email: text('email'),
      customer: text('customer'),
      payment_intent: text('payment_intent'),
      charge: text('charge'),
      body: JSON.stringify(value),
    };
  }
}
