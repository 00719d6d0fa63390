import { createHash, randomBytes } from 'node:crypto';
import type { StateDb } from '../shared/state.js';
import { ORG_ID } from './ids.js';

export type Grant = 'client_credentials' | 'refresh_token';

export interface TokenCounts {
  /** Access tokens issued, in all and per grant. */
  issued: number;
  byGrant: Record<Grant, number>;
  /** Token requests refused (bad client, bad grant, bad refresh token). */
  refused: number;
}

/**
 * OAuth sessions: access tokens (`{org id}!{random}`, kept hashed) that expire a fixed time after they were
 * issued, so a client that keeps working must refresh. Kept in the state file, so a restarted emulator
 * still honours the tokens it gave. Every token request is counted, for tests that assert how often a
 * client refreshed.
 */
export class Sessions {
  private readonly insertSession;
  private readonly selectSession;
  private readonly deleteSessions;
  private readonly insertRequest;
  private readonly countRequests;

  constructor(
    db: StateDb,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS sf_sessions (
      token_hash TEXT PRIMARY KEY, grant_type TEXT NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sf_token_requests (
      seq INTEGER PRIMARY KEY, grant_type TEXT, outcome TEXT NOT NULL, at INTEGER NOT NULL)`);
    this.insertSession = db.prepare(
      'INSERT INTO sf_sessions (token_hash, grant_type, issued_at, expires_at) VALUES (?, ?, ?, ?)',
    );
    this.selectSession = db.prepare<[string], { expires_at: number }>(
      'SELECT expires_at FROM sf_sessions WHERE token_hash = ?',
    );
    this.deleteSessions = db.prepare('DELETE FROM sf_sessions');
    this.insertRequest = db.prepare(
      'INSERT INTO sf_token_requests (grant_type, outcome, at) VALUES (?, ?, ?)',
    );
    this.countRequests = db.prepare<[], { grant_type: string | null; outcome: string; n: number }>(
      'SELECT grant_type, outcome, COUNT(*) AS n FROM sf_token_requests GROUP BY grant_type, outcome',
    );
  }

  /** A new access token and when it was issued (ms). */
  issue(grant: Grant): { token: string; issuedAt: number } {
    const issuedAt = this.now();
    const token = `${ORG_ID.slice(0, 15)}!${randomBytes(48).toString('base64url')}`;
    this.insertSession.run(hash(token), grant, issuedAt, issuedAt + this.ttlMs);
    this.insertRequest.run(grant, 'issued', issuedAt);
    return { token, issuedAt };
  }

  refused(grant: string | null): void {
    this.insertRequest.run(grant, 'refused', this.now());
  }

  /** True for a token this org issued that has not expired or been revoked. */
  isValid(token: string): boolean {
    const session = this.selectSession.get(hash(token));
    return session !== undefined && this.now() < session.expires_at;
  }

  /** Ends every session (as an admin revoking them would); answers how many there were. */
  revokeAll(): number {
    return this.deleteSessions.run().changes;
  }

  counts(): TokenCounts {
    const counts: TokenCounts = {
      issued: 0,
      byGrant: { client_credentials: 0, refresh_token: 0 },
      refused: 0,
    };
    for (const row of this.countRequests.all()) {
      if (row.outcome === 'refused') counts.refused += row.n;
      else {
        counts.issued += row.n;
        counts.byGrant[row.grant_type as Grant] += row.n;
      }
    }
    return counts;
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
