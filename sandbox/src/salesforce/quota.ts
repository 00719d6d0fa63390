import type { StateDb } from '../shared/state.js';
import { dayOf } from './dates.js';

/**
 * The org's daily API request allowance: every authenticated REST call counts, per (UTC) day, in the state
 * file. A call made when the allowance is spent is refused and not counted.
 */
export class ApiQuota {
  private readonly select;
  private readonly bump;

  constructor(
    db: StateDb,
    readonly max: number,
    private readonly now: () => number,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS sf_api_usage (day TEXT PRIMARY KEY, used INTEGER NOT NULL)');
    this.select = db.prepare<[string], { used: number }>('SELECT used FROM sf_api_usage WHERE day = ?');
    this.bump = db.prepare(
      'INSERT INTO sf_api_usage (day, used) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET used = used + 1',
    );
  }

  /** Counts one call; false when today's allowance is already spent. */
  consume(): boolean {
    const day = dayOf(this.now());
    if (this.usedOn(day) >= this.max) return false;
    this.bump.run(day);
    return true;
  }

  used(): number {
    return this.usedOn(dayOf(this.now()));
  }

  /** The `Sforce-Limit-Info` header value: `api-usage=25/15000`. */
  header(): string {
    return `api-usage=${this.used()}/${this.max}`;
  }

  private usedOn(day: string): number {
    return this.select.get(day)?.used ?? 0;
  }
}
