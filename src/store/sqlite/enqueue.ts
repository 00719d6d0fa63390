import type { CallRecord, EnqueueInput, EnqueueOutcome, IdempotencySource } from '../store.js';
import type { AttemptLog } from './attempt-log.js';
import type { SqliteDatabase } from './open.js';
import { toCall, toJson, type CallRow } from '../rows.js';

type InsertParams = [
  id: string,
  workspace: string,
  tool: string,
  releaseId: string,
  args: string,
  argsHash: string,
  idempotencyKey: string | null,
  idempotencySource: string | null,
  status: 'queued' | 'running',
  attempt: number,
  leaseToken: number,
  leaseExpiresAt: number | null,
  workerId: string | null,
  maxAttempts: number,
  runAfter: number,
  deadlineAt: number | null,
  concurrencyLimit: number | null,
  meta: string,
  createdAt: number,
  updatedAt: number,
];

type PutKeyParams = [
  workspace: string,
  tool: string,
  key: string,
  argsHash: string,
  callId: string,
  source: string | null,
  createdAt: number,
  expiresAt: number,
];

interface KeyRow {
  args_hash: string;
  call_id: string;
  expires_at: number;
}

/**
 * Enqueue resolves the idempotency key and inserts the call in one IMMEDIATE transaction, so two
 * requests racing with the same key always end on the same call.
 */
export function createEnqueue(
  db: SqliteDatabase,
  attempts: AttemptLog,
  changed: () => void,
): (input: EnqueueInput) => EnqueueOutcome {
  const findKey = db.prepare<[string, string, string], KeyRow>(
    'SELECT args_hash, call_id, expires_at FROM idempotency_keys WHERE workspace = ? AND tool = ? AND key = ?',
  );
  const getCall = db.prepare<[string], CallRow>('SELECT * FROM calls WHERE id = ?');
  // Positional parameters and no RETURNING: the hot path binds a dozen values per call, and a named
  // binding looks each one up on an object; the row is known without reading it back (see `created`).
  const insertCall = db.prepare<InsertParams>(
    `INSERT INTO calls (id, workspace, tool, release_id, args, args_hash, idempotency_key, idempotency_source, status,
       attempt, lease_token, lease_expires_at, worker_id, max_attempts, run_after, deadline_at, concurrency_limit,
       meta, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const putKey = db.prepare<PutKeyParams>(
    `INSERT INTO idempotency_keys (workspace, tool, key, args_hash, call_id, source, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (workspace, tool, key) DO UPDATE SET args_hash = excluded.args_hash, call_id = excluded.call_id,
       source = excluded.source, created_at = excluded.created_at, expires_at = excluded.expires_at`,
  );
  // A client retrying a call that ran out of retries gets a fresh budget, under its new deadline.
  const resume = db.prepare<{ id: string; now: number; deadlineAt: number | null }, CallRow>(
    `UPDATE calls SET status = 'queued', result = NULL, error = NULL, settled_at = NULL, error_attempts = 0,
       crash_count = 0, run_after = @now, deadline_at = @deadlineAt, updated_at = @now
     WHERE id = @id AND status = 'failed' RETURNING *`,
  );

  const run = db.transaction((input: EnqueueInput): EnqueueOutcome => {
    const now = Date.now();
    const key =
      input.idempotencyKey === null
        ? undefined
        : findKey.get(input.workspace, input.tool, input.idempotencyKey);
    if (key && key.expires_at > now) {
      if (key.args_hash !== input.argsHash) return { kind: 'conflict', callId: key.call_id };
      const existing = getCall.get(key.call_id);
      if (!existing) throw new Error(`idempotency key points at missing call ${key.call_id}`);
      const call = toCall(existing);
      const resumable = call.status === 'failed' && call.error?.retrySafe === true;
      if (!resumable) return { kind: 'existing', call, resumed: false };
      const resumed = resume.get({ id: call.id, now, deadlineAt: input.deadlineAt }) as CallRow;
      return { kind: 'existing', call: toCall(resumed), resumed: true };
    }
    const idempotencySource = input.idempotencyKey === null ? null : input.idempotencySource;
    const args = JSON.stringify(input.args);
    const meta = toJson(input.meta ?? {}) as string;
    // A limited call waits for a claim, which counts its tool's running calls.
    const claimFor = input.concurrencyLimit ? undefined : input.claimFor;
    const lease = claimFor ? { workerId: claimFor.workerId, until: now + claimFor.leaseMs } : null;
    // The hand-off form is the same row, already claimed as `claim` would (attempt 1, token 1, a lease).
    insertCall.run(
      input.id,
      input.workspace,
      input.tool,
      input.releaseId,
      args,
      input.argsHash,
      input.idempotencyKey,
      idempotencySource,
      lease ? 'running' : 'queued',
      lease ? 1 : 0,
      lease ? 1 : 0,
      lease?.until ?? null,
      lease?.workerId ?? null,
      input.maxAttempts,
      now,
      input.deadlineAt,
      input.concurrencyLimit ?? null,
      meta,
      now,
      now,
    );
    if (lease) attempts.begin(input.workspace, input.id, 1, 1, lease.workerId, now);
    if (input.idempotencyKey !== null)
      putKey.run(
        input.workspace,
        input.tool,
        input.idempotencyKey,
        input.argsHash,
        input.id,
        idempotencySource,
        now,
        now + input.keyTtlMs,
      );
    const call = created(input, { idempotencySource, meta, now, lease });
    return { kind: 'created', call, token: lease ? 1 : null };
  });

  return (input) => {
    const outcome = run.immediate(input);
    // A call claimed in the same transaction is news to no claimer and no waiter.
    const claimable =
      (outcome.kind === 'created' && outcome.token === null) ||
      (outcome.kind === 'existing' && outcome.resumed);
    if (claimable) changed();
    return outcome;
  };
}

/**
 * The record of a call just inserted, as `toCall` would read it back: the columns the INSERT wrote
 * and the table's defaults for the rest. `args` is the caller's object (JSON from the wire, already
 * validated); `meta` is read back from its text, which drops what JSON cannot carry.
 */
function created(
  input: EnqueueInput,
  row: {
    idempotencySource: IdempotencySource | null;
    meta: string;
    now: number;
    lease: { workerId: string; until: number } | null;
  },
): CallRecord {
  const { lease, now } = row;
  return {
    id: input.id,
    workspace: input.workspace,
    tool: input.tool,
    releaseId: input.releaseId,
    args: input.args,
    argsHash: input.argsHash,
    idempotencyKey: input.idempotencyKey,
    idempotencySource: row.idempotencySource,
    status: lease ? 'running' : 'queued',
    attempt: lease ? 1 : 0,
    errorAttempts: 0,
    crashCount: 0,
    maxAttempts: input.maxAttempts,
    leaseToken: lease ? 1 : 0,
    leaseExpiresAt: lease?.until ?? null,
    workerId: lease?.workerId ?? null,
    runAfter: now,
    deadlineAt: input.deadlineAt,
    result: null,
    error: null,
    meta: JSON.parse(row.meta) as CallRecord['meta'],
    createdAt: now,
    updatedAt: now,
    settledAt: null,
  };
}
