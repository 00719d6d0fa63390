import { QUEUE_DEPTH_SQL } from '../queue-depth.js';
import { isTerminal, type CallStatus } from '../../core/call-status.js';
import type { ToolError } from '../../core/errors.js';
import type { CallFilter, CallRecord } from '../store.js';
import type { AttemptLog } from './attempt-log.js';
import type { SqliteDatabase } from './open.js';
import { toCall, toJson, type CallRow } from '../rows.js';

export interface CallOps {
  getCall(id: string): CallRecord | null;
  getCalls(ids: readonly string[], statuses?: readonly CallStatus[]): CallRecord[];
  listCalls(filter: CallFilter): CallRecord[];
  cancel(id: string, reason: string): CallRecord | null;
  requeue(id: string): CallRecord | null;
  countByStatus(workspace?: string): Partial<Record<CallStatus, number>>;
  queueDepth(): number;
}

interface Changed {
  call: CallRecord;
  changed: boolean;
}

const FILTER_COLUMNS = ['workspace', 'status', 'tool'] as const;

/** Reads of calls, and the operator's writes (cancel, requeue). */
export function createCallOps(db: SqliteDatabase, attempts: AttemptLog, changed: () => void): CallOps {
  const byId = db.prepare<[string], CallRow>('SELECT * FROM calls WHERE id = ?');
  // One statement serves any number of ids: they travel as one JSON array.
  const byIds = db.prepare<[string], CallRow>(
    'SELECT * FROM calls WHERE id IN (SELECT value FROM json_each(?))',
  );
  const byIdsIn = db.prepare<[string, string], CallRow>(
    `SELECT * FROM calls WHERE id IN (SELECT value FROM json_each(?))
       AND status IN (SELECT value FROM json_each(?))`,
  );
  const cancelStmt = db.prepare<{ id: string; now: number; error: string | null }, CallRow>(
    `UPDATE calls SET status = 'cancelled', error = @error, result = NULL, lease_expires_at = NULL, settled_at = @now,
       updated_at = @now WHERE id = @id RETURNING *`,
  );
  // An operator's retry gets a fresh error and crash budget; attempt and lease_token keep counting.
  const requeueStmt = db.prepare<{ id: string; now: number }, CallRow>(
    `UPDATE calls SET status = 'queued', result = NULL, error = NULL, settled_at = NULL, error_attempts = 0,
       crash_count = 0, run_after = @now, updated_at = @now
     WHERE id = @id AND status IN ('failed', 'dead', 'outcome_unknown') RETURNING *`,
  );
  const countAll = db.prepare<[], { status: CallStatus; n: number }>(
    'SELECT status, count(*) AS n FROM calls GROUP BY status',
  );
  const countIn = db.prepare<[string], { status: CallStatus; n: number }>(
    'SELECT status, count(*) AS n FROM calls WHERE workspace = ? GROUP BY status',
  );
  const depth = db.prepare<[], number>(QUEUE_DEPTH_SQL).pluck();
  const listStatements = new Map<string, ReturnType<typeof db.prepare<unknown[], CallRow>>>();

  // Operator writes return whether they changed the call, so only real changes raise the signal.
  const cancel = db.transaction((id: string, reason: string): Changed | null => {
    const row = byId.get(id);
    if (!row) return null;
    if (isTerminal(row.status as CallStatus)) return { call: toCall(row), changed: false };
    const now = Date.now();
    const error: ToolError = { code: 'CANCELLED', message: reason, retrySafe: false };
    const cancelled = cancelStmt.get({ id, now, error: toJson(error) }) as CallRow;
    attempts.end(id, row.lease_token, 'cancelled', error, now);
    return { call: toCall(cancelled), changed: true };
  });

  const requeue = db.transaction((id: string): Changed | null => {
    const requeued = requeueStmt.get({ id, now: Date.now() });
    if (requeued) return { call: toCall(requeued), changed: true };
    const row = byId.get(id);
    return row ? { call: toCall(row), changed: false } : null;
  });

  const announce = (outcome: Changed | null): CallRecord | null => {
    if (outcome?.changed) changed();
    return outcome?.call ?? null;
  };

  return {
    getCall: (id) => {
      const row = byId.get(id);
      return row ? toCall(row) : null;
    },
    getCalls: (ids, statuses) => {
      if (ids.length === 0) return [];
      const rows = statuses
        ? byIdsIn.all(JSON.stringify(ids), JSON.stringify(statuses))
        : byIds.all(JSON.stringify(ids));
      return rows.map(toCall);
    },
    listCalls(filter) {
      const used = FILTER_COLUMNS.filter((column) => filter[column] !== undefined);
      const shape = used.join(',');
      let statement = listStatements.get(shape);
      if (!statement) {
        const where = used.length === 0 ? '' : `WHERE ${used.map((c) => `${c} = ?`).join(' AND ')}`;
        statement = db.prepare<unknown[], CallRow>(
          `SELECT * FROM calls ${where} ORDER BY created_at DESC, rowid DESC LIMIT ?`,
        );
        listStatements.set(shape, statement);
      }
      return statement.all(...used.map((c) => filter[c]), filter.limit ?? 100).map(toCall);
    },
    cancel: (id, reason) => announce(cancel.immediate(id, reason)),
    requeue: (id) => announce(requeue.immediate(id)),
    queueDepth: () => depth.get() ?? 0,
    countByStatus(workspace) {
      const rows = workspace === undefined ? countAll.all() : countIn.all(workspace);
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
  };
}
