import type { CallStatus } from '../core/call-status.js';
import type { ToolError } from '../core/errors.js';
import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * The Store: every piece of platform state (releases, calls, leases, journal, idempotency keys) lives
 * behind this interface, implemented by SQLite (one machine) and PostgreSQL (several), both held to the
 * same contract suite (test/store/). Callers never name a backend; only `platform.ts` and `cli/` choose one.
 *
 * Time rule: every lease, expiry and run-after decision uses the store's own clock (the database's
 * `now()` on PostgreSQL; the process clock inside the SQLite transaction), never a caller's clock.
 */
export interface Store {
  readonly kind: StoreKind;
  readonly capabilities: StoreCapabilities;

  /** Applies pending numbered migrations. Idempotent. */
  migrate(): Promise<void>;
  /** Compares the applied migrations and the live schema with the shipped ones (for `doctor`, `/readyz`). */
  checkSchema(): Promise<SchemaReport>;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  /** Closes connections and pollers. Idempotent. */
  close(): Promise<void>;

  // --- releases -------------------------------------------------------------------------------
  /** Stores the recipe versions (deduplicated by digest) and the release, and activates it: one transaction. */
  createRelease(input: NewRelease): Promise<Release>;
  getActiveRelease(workspace: string): Promise<Release | null>;
  /** Just the id of the active release (cheap: read on every request to pick up deploys at once). */
  getActiveReleaseId(workspace: string): Promise<string | null>;
  getRelease(id: string): Promise<Release | null>;
  /** Newest first. */
  listReleases(workspace: string, limit?: number): Promise<ReleaseSummary[]>;
  /** Points the workspace at an existing release (rollback). Throws if the release is not the workspace's. */
  activateRelease(workspace: string, releaseId: string): Promise<void>;

  // --- calls ----------------------------------------------------------------------------------
  /**
   * Resolves the idempotency key and inserts the call, in one transaction. With a key:
   * an unexpired key with the same args hash finds its call (`existing`; a `failed` call whose error is
   * retry-safe is put back to `queued` and reported `resumed`), an unexpired key with another args hash
   * is a `conflict`, an expired key is replaced.
   */
  enqueue(input: EnqueueInput): Promise<EnqueueOutcome>;
  getCall(id: string): Promise<CallRecord | null>;
  /**
   * The calls among `ids` that exist (any order); with `statuses`, only those in one of them. Used by
   * waiters, which ask only for the calls they can answer with: most are still running, and cost no read.
   */
  getCalls(ids: readonly string[], statuses?: readonly CallStatus[]): Promise<CallRecord[]>;
  /** Newest first. */
  listCalls(filter: CallFilter): Promise<CallRecord[]>;

  /**
   * Claims up to `limit` runnable calls (queued, or retry_wait whose run_after has passed), oldest first:
   * each gets status running, a new fencing token (previous + 1), attempt + 1, a lease until
   * now + leaseMs, and an attempt record.
   */
  claim(input: ClaimInput): Promise<ClaimedCall[]>;
  /** Extends the lease. `ok: false` when the token is stale or the call left `running` (e.g. cancelled). */
  heartbeat(callId: string, token: number, leaseMs: number): Promise<HeartbeatResult>;
  /** Settles the call if `token` is still the lease holder's and the call is running; else false (stale). */
  settle(callId: string, token: number, settlement: Settlement, journal?: JournalWrite[]): Promise<boolean>;
  /** Gives the call back (drain): running → queued, no counter raised. False if stale. */
  release(callId: string, token: number): Promise<boolean>;
  /**
   * Requeues running calls whose lease expired (crash_count + 1, attempt recorded as `crashed`). A call
   * whose crashes pass `maxCrashes` is settled `dead` if that attempt ran isolated (ClaimInput.isolation),
   * or in any case once they pass twice the limit plus one; otherwise it is requeued, to be run alone.
   * Returns the ids touched.
   */
  reclaimExpired(input: { maxCrashes: number }): Promise<string[]>;
  /** Cancels a call that is not terminal (any holder's later writes become stale). Null if unknown. */
  cancel(callId: string, reason: string): Promise<CallRecord | null>;
  /** Operator retry: a terminal failed/dead/outcome_unknown call goes back to queued. */
  requeue(callId: string): Promise<CallRecord | null>;

  // --- asks: calls waiting for client input (`ask` steps) ----------------------------------------
  /**
   * The lease holder suspends the call for client input: running → input_required, fenced by `token` like
   * a settlement. In one transaction: the write-behind `journal` entries, the ask step's journal entry
   * (started), the attempt ended `input_required`, and the open ask (its token is the `requestState` a
   * client echoes back). `run_after` holds the ask's expiry. False if `token` is stale.
   */
  suspend(callId: string, token: number, ask: NewAsk, journal?: JournalWrite[]): Promise<boolean>;
  /** The ask with this token (any state), or null. Never trust the token beyond this lookup. */
  getAsk(token: string): Promise<AskRecord | null>;
  /** The call's open ask while the call waits in input_required, else null. */
  getOpenAsk(callId: string): Promise<AskRecord | null>;
  /**
   * Records answers to an open ask (keys the ask did not request are dropped; earlier answers stay).
   * While some requests are unanswered the call keeps waiting (`partial`). Once all are answered, in the
   * same transaction: the ask closes, its journal entry ends succeeded with the answers as output, and the
   * call goes back to queued with its deadline moved on by the time it waited (`answered`). `closed`
   * when the ask is not open any more (answered, expired) or its call left input_required (cancelled);
   * null when there is no such ask.
   */
  answerAsk(token: string, answers: JsonObject): Promise<AnswerOutcome | null>;
  /**
   * Fails the calls whose open ask outlived its ttl: input_required → failed with INPUT_TIMEOUT (retry-safe:
   * a retry with the same idempotency key resumes the call and asks again), the ask expired, its journal
   * entry failed. Returns the ids touched. Run by workers' sweeps, like `reclaimExpired`.
   */
  expireAsks(): Promise<string[]>;

  // --- journal (the audit trail) ----------------------------------------------------------------
  /**
   * Records that a step began. Returns the journal entry id, or null if `token` is stale. `journal`
   * carries write-behind entries of earlier, effect-safe steps, committed in the same transaction.
   * Writes are applied in the order they are requested, so a worker need not wait for the start of an
   * effect-safe step before it queues the step's end.
   */
  startStep(callId: string, token: number, step: StepStart, journal?: JournalWrite[]): Promise<number | null>;
  /** Commits write-behind entries on their own (a safe step's start that is still pending at the end of its turn). False if `token` is stale. */
  appendJournal(callId: string, token: number, journal: JournalWrite[]): Promise<boolean>;
  /** Records how the step ended. False if `token` is stale (the entry stays `started`). */
  finishStep(callId: string, token: number, entryId: number, finish: StepFinish): Promise<boolean>;
  /** In insertion order. */
  listJournal(callId: string): Promise<JournalEntry[]>;
  listAttempts(callId: string): Promise<AttemptRecord[]>;

  // --- vault: connections and OAuth2 tokens (values arrive sealed; the store never sees a secret) ----
  /** Creates or replaces a connection; a replaced connection keeps its id (the seal is bound to it). */
  putConnection(input: NewConnection): Promise<ConnectionRecord>;
  getConnection(workspace: string, name: string): Promise<ConnectionRecord | null>;
  /** By name. */
  listConnections(workspace: string): Promise<ConnectionRecord[]>;
  /** Removes the connection and its token. False if there was none. */
  deleteConnection(workspace: string, name: string): Promise<boolean>;
  /** Every sealed value (connection secrets and tokens), for key rotation. */
  listSealed(): Promise<SealedValue[]>;
  /**
   * Replaces sealed values in one transaction (key rotation), each only if it is still the value that
   * was read (a concurrent update wins and is re-sealed by the next rotation). Returns how many changed.
   */
  reseal(changes: { value: SealedValue; next: string }[]): Promise<number>;
  getToken(connectionId: string): Promise<TokenRecord | null>;
  /**
   * Takes the short refresh lease on a connection's token when the token is still at `version` and no
   * one holds an unexpired lease: exactly one of many concurrent callers gets true and refreshes.
   */
  beginTokenRefresh(input: {
    connectionId: string;
    workspace: string;
    version: number;
    owner: string;
    leaseMs: number;
  }): Promise<boolean>;
  /** Stores a refreshed token (version + 1) and ends the lease, if `owner` still holds it. */
  saveToken(input: {
    connectionId: string;
    owner: string;
    sealed: string;
    expiresAt: number;
  }): Promise<boolean>;
  /** Ends `owner`'s lease without a new token (the refresh failed). */
  abandonTokenRefresh(connectionId: string, owner: string): Promise<void>;

  // --- wake-ups and housekeeping ------------------------------------------------------------------
  /**
   * Registers a listener called (possibly spuriously, possibly coalesced) after a committed change to
   * calls that can unblock someone: a call inserted, or its status or run_after changed, from this
   * process or another. A backend need not announce lease extensions (heartbeats), nor a process's own
   * claims to itself. Returns an unsubscribe function.
   */
  onChange(listener: () => void): () => void;
  /**
   * The earliest moment something becomes claimable or reclaimable (retry run_after, lease expiry, ask
   * expiry). It may already be past (something fell due since the last claim or sweep): callers then act
   * at once.
   */
  nextWakeAt(): Promise<number | null>;
  /** Deletes settled calls (with journals, attempts and asks) and idempotency keys older than the retention. */
  prune(input: { settledBefore: number }): Promise<{ calls: number; keys: number }>;
  /** Counts calls per status, over every call kept (retention), settled ones included. */
  countByStatus(workspace?: string): Promise<Partial<Record<CallStatus, number>>>;
  /**
   * Calls queued, running or waiting to retry, over all workspaces (QUEUE_DEPTH_SQL): what the
   * supervisor's autoscaler reads every interval. It reads live calls only, through the status index,
   * however many settled calls the store keeps.
   */
  queueDepth(): Promise<number>;
}

/** The vault's part of the Store (each backend implements it in its own vault.ts). */
export type VaultOps = Pick<
  Store,
  | 'putConnection'
  | 'getConnection'
  | 'listConnections'
  | 'deleteConnection'
  | 'listSealed'
  | 'reseal'
  | 'getToken'
  | 'beginTokenRefresh'
  | 'saveToken'
  | 'abandonTokenRefresh'
>;

export type StoreKind = 'sqlite' | 'postgres';

/** What a backend can and cannot do, each with a reason; tests skip by capability, not by backend name. */
export interface StoreCapabilities {
  /** Other processes' commits are seen through LISTEN/NOTIFY (true) or a data_version poll (false). */
  pushNotifications: { value: boolean; reason: string };
  /** Several machines can share the store. */
  multiMachine: { value: boolean; reason: string };
}

export interface SchemaReport {
  ok: boolean;
  applied: { version: number; name: string; checksum: string }[];
  pending: { version: number; name: string }[];
  /** Human-readable drift findings: changed checksums, missing tables/columns/indexes, unknown versions. */
  drift: string[];
}

// --- releases -------------------------------------------------------------------------------------

export interface RecipeVersion {
  tool: string;
  /** sha256 of the canonical source text. */
  digest: string;
  /** The file name within the deployed folder. */
  file: string;
  /** The YAML source text, as deployed. */
  source: string;
}

export interface NewRelease {
  workspace: string;
  recipes: RecipeVersion[];
  /** Free text: who/what deployed it (e.g. the folder path). */
  note?: string;
}

export interface Release {
  id: string;
  workspace: string;
  /** sha256 over the sorted recipe digests. */
  digest: string;
  createdAt: number;
  note: string | null;
  active: boolean;
  recipes: RecipeVersion[];
}

export type ReleaseSummary = Omit<Release, 'recipes'> & { tools: string[] };

// --- vault ----------------------------------------------------------------------------------------

export interface NewConnection {
  workspace: string;
  name: string;
  /** The id to use when the connection is new (an existing connection keeps its own). */
  id: string;
  connector: string;
  config: JsonObject;
  secretNames: string[];
  /** Seals the secrets for the connection's id (called inside the write, with the id it will have). */
  seal(connectionId: string): string;
}

export interface ConnectionRecord {
  workspace: string;
  name: string;
  id: string;
  connector: string;
  config: JsonObject;
  secretNames: string[];
  sealed: string;
  createdAt: number;
  updatedAt: number;
}

export interface SealedValue {
  kind: 'connection' | 'token';
  workspace: string;
  connectionId: string;
  sealed: string;
}

export interface TokenRecord {
  connectionId: string;
  sealed: string | null;
  expiresAt: number | null;
  /** Refreshes so far. */
  version: number;
  refreshOwner: string | null;
  refreshUntil: number | null;
}

// --- calls ----------------------------------------------------------------------------------------

export interface EnqueueInput {
  /** Pre-generated call id (unguessable). */
  id: string;
  workspace: string;
  tool: string;
  releaseId: string;
  args: JsonObject;
  /** sha256 of the canonical args; the idempotency fingerprint. */
  argsHash: string;
  /** The resolved idempotency key, or null. */
  idempotencyKey: string | null;
  /** Where the key came from, for the audit. */
  idempotencySource: IdempotencySource | null;
  /** How long the key is kept, from now. */
  keyTtlMs: number;
  /** Error attempts allowed before the call fails for good (1 = no retry at the call level). */
  maxAttempts: number;
  /** Absolute deadline (ms since epoch) or null. */
  deadlineAt: number | null;
  /**
   * The recipe's `concurrency`: at most this many calls of the tool (in its workspace) run at once.
   * Claims honour it (see fair-claims.ts); a call with a limit is never claimed at enqueue (`claimFor`).
   */
  concurrencyLimit?: number | null;
  /** Free-form metadata kept with the call (the MCP server name, protocol version, …). Never secrets. */
  meta?: JsonObject;
  /**
   * Hand-off: a new call is inserted already claimed by this worker (status running, attempt 1, fencing
   * token 1, a lease and an attempt record), in the same transaction, so the gateway can pass it
   * straight to a worker with room. An existing call found by its key is never claimed this way.
   */
  claimFor?: { workerId: string; leaseMs: number };
}

export type IdempotencySource = 'recipe' | 'header' | 'meta' | 'content';

export type EnqueueOutcome =
  /** `token` is the fencing token when the call was claimed in the same transaction (`claimFor`). */
  | { kind: 'created'; call: CallRecord; token: number | null }
  | { kind: 'existing'; call: CallRecord; resumed: boolean }
  | { kind: 'conflict'; callId: string };

export interface CallRecord {
  id: string;
  workspace: string;
  tool: string;
  releaseId: string;
  args: JsonObject;
  argsHash: string;
  idempotencyKey: string | null;
  idempotencySource: IdempotencySource | null;
  status: CallStatus;
  /** Number of claims so far. */
  attempt: number;
  /** Attempts that ended in a (retry-safe) error. */
  errorAttempts: number;
  /** Attempts whose worker died (lease expired). */
  crashCount: number;
  maxAttempts: number;
  leaseToken: number;
  leaseExpiresAt: number | null;
  workerId: string | null;
  runAfter: number;
  deadlineAt: number | null;
  /** `data` of a succeeded call. */
  result: JsonValue | null;
  /** The error of a failed/dead/cancelled/outcome_unknown call, or the last retry-safe error while retrying. */
  error: ToolError | null;
  meta: JsonObject;
  createdAt: number;
  updatedAt: number;
  settledAt: number | null;
}

export interface CallFilter {
  workspace?: string;
  status?: CallStatus;
  tool?: string;
  limit?: number;
}

export interface ClaimInput {
  workerId: string;
  limit: number;
  leaseMs: number;
  /**
   * Crash isolation (see migration 0005): calls whose crashes reached `afterCrashes` are claimed only
   * by a claimer that runs nothing else (`alone`), one at a time, and then come back `isolated`; the
   * claimer takes nothing else until that call ends. Absent: no call is held back or isolated.
   */
  isolation?: { afterCrashes: number; alone: boolean };
}

export interface ClaimedCall {
  call: CallRecord;
  /** The fencing token of this lease. */
  token: number;
  /** Claimed to run alone (crash isolation): its worker runs nothing else until it ends. */
  isolated?: boolean;
}

export type HeartbeatResult = { ok: true; leaseExpiresAt: number } | { ok: false; status: CallStatus | null };

export type Settlement =
  | { status: 'succeeded'; data: JsonValue }
  | { status: 'failed'; error: ToolError }
  /** A retry-safe failure with attempts left: error_attempts + 1, claimable again at runAfter. */
  | { status: 'retry_wait'; error: ToolError; runAfter: number }
  | { status: 'dead'; error: ToolError }
  | { status: 'outcome_unknown'; error: ToolError };

// --- journal ----------------------------------------------------------------------------------------

export type StepKind = 'action' | 'call' | 'return' | 'fail' | 'compensate' | 'ask';

/** How a step's external effect behaves when the step runs again. */
export type StepEffect =
  /** No external effect (reads, util.echo): repeating is harmless. */
  | 'none'
  /** The downstream deduplicates by the step key: repeating applies the effect once. */
  | 'keyed'
  /** Cannot be deduplicated: a worker dying inside it leaves the outcome unknown. */
  | 'unsafe';

export interface StepStart {
  attempt: number;
  /** Unique within the call: e.g. `booking`, `3`, `guest/1` for a sub-recipe's step. */
  stepPath: string;
  kind: StepKind;
  /** `connector.action` or the sub-recipe name. */
  target: string | null;
  effect: StepEffect;
  workerId: string;
  /** Redacted summary of what was sent. */
  request: JsonValue | null;
}

export interface StepFinish {
  status: 'succeeded' | 'failed' | 'skipped';
  output: JsonValue | null;
  error: ToolError | null;
  /** Redacted summary of what came back. */
  response: JsonValue | null;
}

/**
 * A journal write that may be deferred to the holder's next write (write-behind): the start or end of a
 * step whose effect is `none` or `keyed`, or a whole step (a safe step that ended before its start was
 * written; skip, return, fail, sub-recipe end). Losing one to a crash costs a harmless re-run of that
 * step, never a duplicate effect. Entries apply in order.
 */
export type JournalWrite =
  | { kind: 'start'; start: StepStart }
  /** Ends the step this attempt started at `stepPath` (its start may still be on its way to the store). */
  | { kind: 'finish'; attempt: number; stepPath: string; finish: StepFinish }
  | { kind: 'record'; start: StepStart; finish: StepFinish };

export interface JournalEntry {
  id: number;
  callId: string;
  attempt: number;
  stepPath: string;
  kind: StepKind;
  target: string | null;
  effect: StepEffect;
  workerId: string;
  leaseToken: number;
  status: 'started' | 'succeeded' | 'failed' | 'skipped';
  request: JsonValue | null;
  response: JsonValue | null;
  output: JsonValue | null;
  error: ToolError | null;
  startedAt: number;
  finishedAt: number | null;
}

export type AttemptOutcome =
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'retry'
  | 'crashed'
  | 'released'
  | 'dead'
  | 'outcome_unknown'
  | 'cancelled'
  /** The attempt reached an `ask` step and gave the call up to wait for client input. */
  | 'input_required';

export interface AttemptRecord {
  callId: string;
  attempt: number;
  leaseToken: number;
  workerId: string;
  outcome: AttemptOutcome;
  error: ToolError | null;
  /** Audit remark, e.g. a settlement rejected because this attempt's lease was no longer current. */
  note: string | null;
  startedAt: number;
  endedAt: number | null;
}

// --- asks ---------------------------------------------------------------------------------------------

/** The input requests of an ask, as they go on the wire: key → `{ method, params }` (SEP-2322). */
export type InputRequestMap = Record<string, { method: string; params: JsonObject }>;

export interface NewAsk {
  /** Unguessable: the `requestState` of the InputRequiredResult, and the ask's key in the store. */
  token: string;
  /** The ask step's journal entry (status started, effect none); its stepPath names the ask step. */
  step: StepStart;
  requests: InputRequestMap;
  /** How long the ask stays open, from now. */
  ttlMs: number;
}

export type AskStatus = 'open' | 'answered' | 'expired';

export interface AskRecord {
  token: string;
  workspace: string;
  callId: string;
  stepPath: string;
  /** The attempt that asked. */
  attempt: number;
  requests: InputRequestMap;
  /** The responses received so far, by request key. */
  answers: JsonObject;
  status: AskStatus;
  createdAt: number;
  expiresAt: number;
  answeredAt: number | null;
}

export type AnswerOutcome =
  | { kind: 'partial'; ask: AskRecord }
  | { kind: 'answered'; ask: AskRecord }
  | { kind: 'closed'; ask: AskRecord };
