import type { EnqueueInput, EnqueueOutcome } from '../store.js';
import type { AttemptLog } from './attempt-log.js';
import type { SqliteDatabase } from './open.js';
import { toCall, toJson, type CallRow } from '../rows.js';

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
  const insertCall = db.prepare<Record<string, unknown>, CallRow>(
    `INSERT INTO calls (id, workspace, tool, release_id, args, args_hash, idempotency_key, idempotency_source, status,
       max_attempts, run_after, deadline_at, concurrency_limit, meta, created_at, updated_at)
     VALUES (@id, @workspace, @tool, @releaseId, @args, @argsHash, @idempotencyKey, @idempotencySource, 'queued',
       @maxAttempts, @now, @deadlineAt, @concurrencyLimit, @meta, @now, @now)
     RETURNING *`,
  );
  // The hand-off form: the same row, already claimed as `claim` would (attempt 1, token 1, a lease).
  const insertClaimed = db.prepare<Record<string, unknown>, CallRow>(
    `INSERT INTO calls (id, workspace, tool, release_id, args, args_hash, idempotency_key, idempotency_source, status,
       attempt, lease_token, lease_expires_at, worker_id, max_attempts, run_after, deadline_at, meta, created_at,
       updated_at)
     VALUES (@id, @workspace, @tool, @releaseId, @args, @argsHash, @idempotencyKey, @idempotencySource, 'running',
       1, 1, @leaseUntil, @workerId, @maxAttempts, @now, @deadlineAt, @meta, @now, @now)
     RETURNING *`,
  );
  const putKey = db.prepare(
    `INSERT INTO idempotency_keys (workspace, tool, key, args_hash, call_id, source, created_at, expires_at)
     VALUES (@workspace, @tool, @idempotencyKey, @argsHash, @id, @idempotencySource, @now, @expiresAt)
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
    const { claimFor: _claimFor, ...fields } = input;
    const params = {
      ...fields,
      concurrencyLimit: input.concurrencyLimit ?? null,
      idempotencySource: input.idempotencyKey === null ? null : input.idempotencySource,
      args: JSON.stringify(input.args),
      meta: toJson(input.meta ?? {}),
      now,
      expiresAt: now + input.keyTtlMs,
    };
    // A limited call waits for a claim, which counts its tool's running calls.
    const claimFor = input.concurrencyLimit ? undefined : input.claimFor;
    const row = claimFor
      ? (insertClaimed.get({
          ...params,
          workerId: claimFor.workerId,
          leaseUntil: now + claimFor.leaseMs,
        }) as CallRow)
      : (insertCall.get(params) as CallRow);
    if (claimFor) attempts.begin(row, now);
    if (input.idempotencyKey !== null) putKey.run(params);
    return { kind: 'created', call: toCall(row), token: claimFor ? row.lease_token : null };
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
