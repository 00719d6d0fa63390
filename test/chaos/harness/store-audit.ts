import Database from 'better-sqlite3';
import path from 'node:path';
import pg from 'pg';
import type { Backend } from './processes.js';

export interface AuditCall {
  id: string;
  tool: string;
  idempotencyKey: string | null;
  status: string;
  attempt: number;
  crashCount: number;
  errorAttempts: number;
  leaseToken: number;
  errorCode: string | null;
  createdAt: number;
  settledAt: number | null;
}

export interface AuditAttempt {
  callId: string;
  attempt: number;
  leaseToken: number;
  workerId: string;
  outcome: string;
  note: string | null;
}

export interface AuditJournal {
  callId: string;
  attempt: number;
  stepPath: string;
  effect: string;
  leaseToken: number;
  status: string;
}

export interface Audit {
  calls: AuditCall[];
  attempts: AuditAttempt[];
  journal: AuditJournal[];
}

const CALLS = `SELECT id, tool, idempotency_key, status, attempt, crash_count, error_attempts, lease_token, error,
  created_at, settled_at FROM calls`;
const ATTEMPTS = `SELECT call_id, attempt, lease_token, worker_id, outcome, note FROM attempts`;
const JOURNAL = `SELECT call_id, attempt, step_path, effect, lease_token, status FROM journal`;

type Row = Record<string, unknown>;

/** Reads the calls, attempts and journal tables straight from the backend (SQL, read only). */
export async function readAudit(backend: Backend): Promise<Audit> {
  let rows: { calls: Row[]; attempts: Row[]; journal: Row[] };
  if (backend.kind === 'sqlite') {
    const db = new Database(path.join(backend.dataDir, 'switchyard.db'), {
      readonly: true,
      fileMustExist: true,
    });
    db.pragma('busy_timeout = 5000');
    try {
      rows = {
        calls: db.prepare(CALLS).all() as Row[],
        attempts: db.prepare(ATTEMPTS).all() as Row[],
        journal: db.prepare(JOURNAL).all() as Row[],
      };
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: backend.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      rows = {
        calls: (await client.query(CALLS)).rows as Row[],
        attempts: (await client.query(ATTEMPTS)).rows as Row[],
        journal: (await client.query(JOURNAL)).rows as Row[],
      };
    } finally {
      await client.end();
    }
  }
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    calls: rows.calls.map((r) => ({
      id: String(r.id),
      tool: String(r.tool),
      idempotencyKey: (r.idempotency_key as string | null) ?? null,
      status: String(r.status),
      attempt: Number(r.attempt),
      crashCount: Number(r.crash_count),
      errorAttempts: Number(r.error_attempts),
      leaseToken: Number(r.lease_token),
      errorCode: r.error ? ((JSON.parse(String(r.error)) as { code?: string }).code ?? null) : null,
      createdAt: Number(r.created_at),
      settledAt: n(r.settled_at),
    })),
    attempts: rows.attempts.map((r) => ({
      callId: String(r.call_id),
      attempt: Number(r.attempt),
      leaseToken: Number(r.lease_token),
      workerId: String(r.worker_id),
      outcome: String(r.outcome),
      note: (r.note as string | null) ?? null,
    })),
    journal: rows.journal.map((r) => ({
      callId: String(r.call_id),
      attempt: Number(r.attempt),
      stepPath: String(r.step_path),
      effect: String(r.effect),
      leaseToken: Number(r.lease_token),
      status: String(r.status),
    })),
  };
}
