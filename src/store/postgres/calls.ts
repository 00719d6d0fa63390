import { QUEUE_DEPTH_SQL } from '../queue-depth.js';
import { CALL_STATUSES, isTerminal, type CallStatus } from '../../core/call-status.js';
import type { ToolError } from '../../core/errors.js';
import type { AttemptRecord, CallFilter, CallRecord } from '../store.js';
import { toAttempt, toCall, toJson, type AttemptRow, type CallRow } from '../rows.js';
import { NOW, type Db } from './db.js';

export interface CallOps {
  getCall(id: string): Promise<CallRecord | null>;
  getCalls(ids: readonly string[], statuses?: readonly CallStatus[]): Promise<CallRecord[]>;
  listCalls(filter: CallFilter): Promise<CallRecord[]>;
  cancel(id: string, reason: string): Promise<CallRecord | null>;
  requeue(id: string): Promise<CallRecord | null>;
  countByStatus(workspace?: string): Promise<Partial<Record<CallStatus, number>>>;
  queueDepth(): Promise<number>;
  listAttempts(callId: string): Promise<AttemptRecord[]>;
}

const LIVE = CALL_STATUSES.filter((s) => !isTerminal(s))
  .map((s) => `'${s}'`)
  .join(', ');

// Any holder's later writes become stale: their fence wants status 'running'. $1 call, $2 error.
const CANCEL = `
WITH cancelled AS (
  UPDATE calls SET status = 'cancelled', error = $2, result = NULL, lease_expires_at = NULL,
    settled_at = ${NOW}, updated_at = ${NOW}
  WHERE id = $1 AND status IN (${LIVE})
  RETURNING *),
ended AS (
  UPDATE attempts a SET outcome = 'cancelled', error = $2, ended_at = ${NOW}
  FROM cancelled c WHERE a.call_id = c.id AND a.lease_token = c.lease_token AND a.outcome = 'running')
SELECT * FROM cancelled`;

// An operator's retry gets a fresh error and crash budget; attempt and lease_token keep counting.
const REQUEUE = `
UPDATE calls SET status = 'queued', result = NULL, error = NULL, settled_at = NULL, error_attempts = 0,
  crash_count = 0, run_after = ${NOW}, updated_at = ${NOW}
WHERE id = $1 AND status IN ('failed', 'dead', 'outcome_unknown')
RETURNING *`;

const FILTER_COLUMNS = ['workspace', 'status', 'tool'] as const;

/** Reads of calls, and the operator's writes (cancel, requeue): each one statement. */
export function createCallOps(db: Db, changed: () => void): CallOps {
  const getCall = async (id: string) => {
    const [row] = await db.read<CallRow>('SELECT * FROM calls WHERE id = $1', [id]);
    return row ? toCall(row) : null;
  };
  // A write that changed nothing returns the call as it is (or null if there is none).
  const changedOrCurrent = async (rows: CallRow[], id: string) => {
    const [row] = rows;
    if (!row) return getCall(id);
    changed();
    return toCall(row);
  };

  return {
    getCall,
    async getCalls(ids, statuses) {
      if (ids.length === 0) return [];
      const rows = statuses
        ? await db.read<CallRow>(
            'SELECT * FROM calls WHERE id = ANY($1::text[]) AND status = ANY($2::text[])',
            [ids, statuses],
          )
        : await db.read<CallRow>('SELECT * FROM calls WHERE id = ANY($1::text[])', [ids]);
      return rows.map(toCall);
    },
    async listCalls(filter) {
      const used = FILTER_COLUMNS.filter((column) => filter[column] !== undefined);
      const where = used.length === 0 ? '' : `WHERE ${used.map((c, i) => `${c} = $${i + 1}`).join(' AND ')}`;
      const rows = await db.read<CallRow>(
        `SELECT * FROM calls ${where} ORDER BY created_at DESC, seq DESC LIMIT $${used.length + 1}`,
        [...used.map((c) => filter[c]), filter.limit ?? 100],
      );
      return rows.map(toCall);
    },
    async cancel(id, reason) {
      const error: ToolError = { code: 'CANCELLED', message: reason, retrySafe: false };
      return changedOrCurrent(await db.query<CallRow>(CANCEL, [id, toJson(error)]), id);
    },
    requeue: async (id) => changedOrCurrent(await db.query<CallRow>(REQUEUE, [id]), id),
    async queueDepth() {
      const [row] = await db.read<{ count: string | number }>(QUEUE_DEPTH_SQL);
      return Number(row?.count ?? 0);
    },
    async countByStatus(workspace) {
      const rows = await db.read<{ status: CallStatus; n: number }>(
        workspace === undefined
          ? 'SELECT status, count(*) AS n FROM calls GROUP BY status'
          : 'SELECT status, count(*) AS n FROM calls WHERE workspace = $1 GROUP BY status',
        workspace === undefined ? [] : [workspace],
      );
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    listAttempts: async (callId) =>
      (await db.read<AttemptRow>('SELECT * FROM attempts WHERE call_id = $1 ORDER BY attempt', [callId])).map(
        toAttempt,
      ),
  };
}
