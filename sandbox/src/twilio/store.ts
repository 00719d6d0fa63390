import type { StateDb } from '../shared/state.js';

/** A message as stored; its status is derived from its age when read. */
export interface MessageRow {
  sid: string;
  account_sid: string;
  to_number: string;
  from_number: string;
  body: string;
  num_segments: number;
  num_media: number;
  created_at: number;
}

export class MessageStore {
  private readonly insertRow;
  private readonly selectRow;

  constructor(private readonly db: StateDb) {
    db.exec(`CREATE TABLE IF NOT EXISTS twilio_messages (
      seq INTEGER PRIMARY KEY, sid TEXT NOT NULL UNIQUE, account_sid TEXT NOT NULL, to_number TEXT NOT NULL,
      from_number TEXT NOT NULL, body TEXT NOT NULL, num_segments INTEGER NOT NULL, num_media INTEGER NOT NULL,
      created_at INTEGER NOT NULL)`);
    this.insertRow = db.prepare(
      `INSERT INTO twilio_messages (sid, account_sid, to_number, from_number, body, num_segments, num_media, created_at)
       VALUES (@sid, @account_sid, @to_number, @from_number, @body, @num_segments, @num_media, @created_at)`,
    );
    this.selectRow = db.prepare<[string, string], MessageRow>(
      'SELECT * FROM twilio_messages WHERE sid = ? AND account_sid = ?',
    );
  }

  insert(row: MessageRow): void {
    this.insertRow.run(row);
  }

  get(accountSid: string, sid: string): MessageRow | null {
    return this.selectRow.get(sid, accountSid) ?? null;
  }

  /** Newest first, optionally filtered by `To`/`From`; one page of `pageSize` at `page`. */
  list(
    accountSid: string,
    filter: { to?: string; from?: string },
    page: number,
    pageSize: number,
  ): MessageRow[] {
    const where = ['account_sid = ?'];
    const args: (string | number)[] = [accountSid];
    if (filter.to !== undefined) {
      where.push('to_number = ?');
      args.push(filter.to);
    }
    if (filter.from !== undefined) {
      where.push('from_number = ?');
      args.push(filter.from);
    }
    return this.db
      .prepare<(string | number)[], MessageRow>(
        `SELECT * FROM twilio_messages WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ? OFFSET ?`,
      )
      .all(...args, pageSize, page * pageSize);
  }
}
