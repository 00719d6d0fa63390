import type { EnqueueInput, EnqueueOutcome } from '../store.js';
import { toCall, toJson, type CallRow } from '../rows.js';
import { NOW, type Db } from './db.js';

/**
 * Takes the idempotency key (new, or replacing an expired one) and inserts the call, in one statement.
 * Two enqueues racing with the same key meet at the key's unique index: the second waits for the
 * first to commit, finds the key live (`DO UPDATE … WHERE` expired is false), inserts nothing, and then
 * reads the first one's call. Without a key, the call is simply inserted. With `claimFor` the call is
 * inserted already claimed, with its attempt record.
 *
 * $1 id, $2 workspace, $3 tool, $4 release, $5 args, $6 args hash, $7 key, $8 key source, $9 max attempts,
 * $10 deadline, $11 meta, $12 key ttl, $13 claiming worker, $14 its lease (ms), $15 concurrency limit.
 */
const INSERT = `
WITH key AS (
  INSERT INTO idempotency_keys (workspace, tool, key, args_hash, call_id, source, created_at, expires_at)
  SELECT $2, $3, $7::text, $6, $1, $8, ${NOW}, ${NOW} + $12::bigint WHERE $7::text IS NOT NULL
  ON CONFLICT (workspace, tool, key) DO UPDATE SET args_hash = excluded.args_hash, call_id = excluded.call_id,
    source = excluded.source, created_at = excluded.created_at, expires_at = excluded.expires_at
  WHERE idempotency_keys.expires_at <= ${NOW}
  RETURNING call_id),
call AS (
  INSERT INTO calls (id, workspace, tool, release_id, args, args_hash, idempotency_key, idempotency_source, status,
    attempt, lease_token, lease_expires_at, worker_id, max_attempts, run_after, deadline_at, meta, created_at,
    updated_at, concurrency_limit)
  SELECT $1, $2, $3, $4, $5, $6, $7::text, $8,
    CASE WHEN $13::text IS NULL THEN 'queued' ELSE 'running' END,
    CASE WHEN $13::text IS NULL THEN 0 ELSE 1 END,
    CASE WHEN $13::text IS NULL THEN 0 ELSE 1 END,
    ${NOW} + $14::bigint, $13::text, $9::integer, ${NOW}, $10::bigint, $11, ${NOW}, ${NOW}, $15::integer
  WHERE $7::text IS NULL OR EXISTS (SELECT 1 FROM key)
  RETURNING *),
attempt AS (
  INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
  SELECT workspace, id, attempt, lease_token, worker_id, 'running', created_at FROM call WHERE worker_id IS NOT NULL)
SELECT * FROM call`;

/** The live key and its call (a fresh statement: it sees the commit the insert waited for). */
const FIND = `
SELECT k.args_hash AS key_args_hash, k.call_id AS key_call_id, c.*
FROM idempotency_keys k LEFT JOIN calls c ON c.id = k.call_id
WHERE k.workspace = $1 AND k.tool = $2 AND k.key = $3 AND k.expires_at > ${NOW}`;

// A client retrying a call that ran out of retries gets a fresh budget, under its new deadline. The
// condition is the statement's own, so of two retries racing, one resumes the call.
const RESUME = `
UPDATE calls SET status = 'queued', result = NULL, error = NULL, settled_at = NULL, error_attempts = 0,
  crash_count = 0, run_after = ${NOW}, deadline_at = $2, updated_at = ${NOW}
WHERE id = $1 AND status = 'failed' AND (error::json ->> 'retrySafe') = 'true'
RETURNING *`;

const GET = 'SELECT * FROM calls WHERE id = $1';

/** The call's columns are null when the key's call is missing (the LEFT JOIN found none). */
type FoundRow = Omit<CallRow, 'id'> & { id: string | null; key_args_hash: string; key_call_id: string };

export function createEnqueue(db: Db, changed: () => void): (input: EnqueueInput) => Promise<EnqueueOutcome> {
  async function run(input: EnqueueInput): Promise<EnqueueOutcome> {
    const key = input.idempotencyKey;
    // A limited call waits for a claim, which counts its tool's running calls.
    const claimFor = input.concurrencyLimit ? undefined : input.claimFor;
    const params = [
      input.id,
      input.workspace,
      input.tool,
      input.releaseId,
      JSON.stringify(input.args),
      input.argsHash,
      key,
      key === null ? null : input.idempotencySource,
      input.maxAttempts,
      input.deadlineAt,
      toJson(input.meta ?? {}),
      input.keyTtlMs,
      claimFor?.workerId ?? null,
      claimFor?.leaseMs ?? null,
      input.concurrencyLimit ?? null,
    ];
    // The key may expire, or be pruned, between the insert that found it live and the read: then the
    // insert is tried again (it replaces or recreates the key).
    for (let tries = 0; tries < 5; tries++) {
      const [row] = await db.query<CallRow>(INSERT, params);
      if (row) return { kind: 'created', call: toCall(row), token: claimFor ? row.lease_token : null };
      const [found] = await db.query<FoundRow>(FIND, [input.workspace, input.tool, key]);
      if (!found) continue;
      if (found.key_args_hash !== input.argsHash) return { kind: 'conflict', callId: found.key_call_id };
      if (found.id === null) throw new Error(`idempotency key points at missing call ${found.key_call_id}`);
      const call = toCall(found as CallRow);
      if (call.status !== 'failed' || call.error?.retrySafe !== true)
        return { kind: 'existing', call, resumed: false };
      const [resumed] = await db.query<CallRow>(RESUME, [call.id, input.deadlineAt]);
      if (resumed) return { kind: 'existing', call: toCall(resumed), resumed: true };
      // Another retry resumed it first.
      const [now] = await db.query<CallRow>(GET, [call.id]);
      if (now) return { kind: 'existing', call: toCall(now), resumed: false };
    }
    throw new Error(`enqueue: the idempotency key ${key} kept changing under the call; try again`);
  }

  return async (input) => {
    const outcome = await run(input);
    // A call claimed in the same statement is news to no claimer and no waiter.
    const claimable =
      (outcome.kind === 'created' && outcome.token === null) ||
      (outcome.kind === 'existing' && outcome.resumed);
    if (claimable) changed();
    return outcome;
  };
}
