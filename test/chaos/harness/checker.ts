import type { History, Op } from './history.js';
import type { LedgerEffect } from './ledger-server.js';
import type { Audit, AuditCall } from './store-audit.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'dead', 'outcome_unknown']);
const SETTLING_OUTCOMES = new Set(['succeeded', 'failed', 'outcome_unknown', 'cancelled']);

/**
 * How a downstream's effects are judged:
 * - `key`: it honours an idempotency key (Stripe, our ledger server): more than one effect per key is a
 *   duplicate (a violation);
 * - `key-target`: an upsert by external id (Salesforce): repeats re-apply to one record; more than one
 *   record per key is a duplicate (a violation);
 * - `flag`: no key (Twilio): several effects for one call are flagged, not a violation (at-least-once
 *   is the declared guarantee; the platform ends such calls outcome_unknown rather than resend).
 */
export interface EffectSource {
  name: string;
  policy: 'key' | 'key-target' | 'flag';
  effects: LedgerEffect[];
  /** The call an effect belongs to (e.g. the call id in a `call_id:step` key), or null if unknown. */
  callOf?: (effect: LedgerEffect) => string | null;
}

export interface Figures {
  invoked: number;
  ok: number;
  failed: number;
  unknown: number;
  acknowledged: number;
  retries: number;
  transportErrors: number;
  errorCodes: Record<string, number>;
  callsInStore: number;
  byStatus: Record<string, number>;
  lost: number;
  recovered: number;
  unexpected: number;
  duplicatedCalls: number;
  duplicatedEffects: number;
  flaggedDuplicates: number;
  effects: number;
  crashRecoveries: number;
  staleCompletionsRejected: number;
  settleMs: { p50: number; p99: number; max: number };
  boundMs: number;
}

export interface CheckResult {
  figures: Figures;
  /** Invariant violations, each one line naming the call; empty when the run is correct. */
  violations: string[];
}

/**
 * Waits (bounded by `boundMs` past each operation's start) until every acknowledged call is terminal,
 * polling the store, and records when each was first seen terminal. Then checks the invariants.
 */
export async function checkRun(input: {
  history: History;
  audit: () => Promise<Audit>;
  effects?: () => Promise<EffectSource[]>;
  boundMs: number;
  /** Calls in the store that no client operation made (e.g. a poison call made by hand): not `unexpected`. */
  ignoreKeys?: (key: string | null) => boolean;
}): Promise<CheckResult> {
  const { history, boundMs } = input;
  const seenTerminal = new Map<string, number>();
  const deadline = Math.max(Date.now(), ...history.ops.map((o) => o.invokedAt + boundMs));
  let audit = await input.audit();
  for (;;) {
    const now = Date.now();
    for (const c of audit.calls)
      if (TERMINAL.has(c.status) && !seenTerminal.has(c.id)) seenTerminal.set(c.id, now);
    const open = audit.calls.filter((c) => !TERMINAL.has(c.status) && c.status !== 'input_required');
    if (open.length === 0 || now > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
    audit = await input.audit();
  }
  return judge(
    history,
    audit,
    input.effects ? await input.effects() : [],
    seenTerminal,
    boundMs,
    input.ignoreKeys,
  );
}

function judge(
  history: History,
  audit: Audit,
  sources: EffectSource[],
  seenTerminal: Map<string, number>,
  boundMs: number,
  ignoreKeys: (key: string | null) => boolean = () => false,
): CheckResult {
  const violations: string[] = [];
  const byId = new Map(audit.calls.map((c) => [c.id, c]));
  const byKey = new Map<string, AuditCall[]>();
  for (const c of audit.calls) {
    const k = `${c.tool}\u0000${c.idempotencyKey}`;
    byKey.set(k, [...(byKey.get(k) ?? []), c]);
  }
  const opKeys = new Set(history.ops.map((o) => `${o.tool}\u0000${o.key}`));

  // Lost: acknowledged (the client got the call id) but missing, or not terminal within the bound.
  let lost = 0;
  let recovered = 0;
  const settle: number[] = [];
  for (const op of history.ops) {
    const calls = byKey.get(`${op.tool}\u0000${op.key}`) ?? [];
    const call = op.callId ? byId.get(op.callId) : calls[0];
    if (op.callId && !call) {
      lost++;
      violations.push(
        `lost: op ${op.id} (key ${op.key}) was told call ${op.callId}, which is not in the store`,
      );
      continue;
    }
    // DESIGN.md: everything about a known tool's execution is a tool result (a store outage included).
    if (op.errorCode === 'JSONRPC_-32603')
      violations.push(`internal error: op ${op.id} (key ${op.key}) was answered JSON-RPC -32603`);
    if (!call) continue; // never acknowledged and never committed: the client knows it has no call
    if (!TERMINAL.has(call.status)) {
      if (op.callId) {
        lost++;
        violations.push(
          `not terminal within ${boundMs} ms: call ${call.id} (key ${op.key}) is ${call.status}`,
        );
      }
      continue;
    }
    if (op.outcome === 'ok' && call.status !== 'succeeded')
      violations.push(`contradiction: op ${op.id} got success, call ${call.id} is ${call.status}`);
    if ((op.outcome === 'unknown' || op.outcome === 'pending') && call.status === 'succeeded') recovered++;
    const end =
      op.outcome === 'ok' || op.outcome === 'failed'
        ? op.endedAt!
        : (seenTerminal.get(call.id) ?? Date.now());
    settle.push(end - op.invokedAt);
  }

  // Duplicated calls: one idempotency key, several calls. Unexpected: calls no client asked for.
  let duplicatedCalls = 0;
  let unexpected = 0;
  for (const [k, calls] of byKey) {
    const key = k.split('\u0000')[1] ?? null;
    if (calls.length > 1 && calls[0]!.idempotencyKey !== null) {
      duplicatedCalls += calls.length - 1;
      violations.push(`duplicated call: key ${key} has ${calls.length} calls`);
    }
    if (!opKeys.has(k) && !ignoreKeys(key)) {
      unexpected += calls.length;
      violations.push(
        `unexpected call: ${calls.map((c) => c.id).join(', ')} (key ${key}) was made by no client`,
      );
    }
  }

  // Fencing and audit: one attempt row per attempt; only the current token's attempt may settle.
  const attemptsOf = new Map<string, Audit['attempts']>();
  for (const a of audit.attempts) attemptsOf.set(a.callId, [...(attemptsOf.get(a.callId) ?? []), a]);
  let crashRecoveries = 0;
  let staleCompletionsRejected = 0;
  for (const call of audit.calls) {
    const attempts = (attemptsOf.get(call.id) ?? []).sort((a, b) => a.attempt - b.attempt);
    crashRecoveries += attempts.filter((a) => a.outcome === 'crashed').length;
    staleCompletionsRejected += attempts.filter((a) => a.note?.startsWith('stale_completion')).length;
    const numbers = attempts.map((a) => a.attempt).join(',');
    const expected = Array.from({ length: call.attempt }, (_, i) => i + 1).join(',');
    if (numbers !== expected)
      violations.push(
        `audit: call ${call.id} is at attempt ${call.attempt} but has attempt rows [${numbers}]`,
      );
    for (const a of attempts) {
      if (SETTLING_OUTCOMES.has(a.outcome) && a.leaseToken !== call.leaseToken)
        violations.push(
          `stale settlement: call ${call.id} attempt ${a.attempt} (token ${a.leaseToken}) settled ${a.outcome} but the current token is ${call.leaseToken}`,
        );
      if (a.outcome === 'running' && TERMINAL.has(call.status))
        violations.push(`audit: call ${call.id} is ${call.status} but attempt ${a.attempt} is still running`);
    }
    const last = attempts.at(-1);
    if (
      last &&
      TERMINAL.has(call.status) &&
      call.status !== 'dead' &&
      call.status !== 'cancelled' &&
      last.outcome !== call.status
    )
      violations.push(`audit: call ${call.id} is ${call.status} but its last attempt ended ${last.outcome}`);
    const tokens = new Set(attempts.map((a) => a.leaseToken));
    if (tokens.size !== attempts.length) violations.push(`fencing: call ${call.id} reused a lease token`);
  }
  // The journal: written only under a token that was handed out, a finished step is never re-run, and
  // the attempt that succeeded recorded the end of every step it began (none lost, none left in doubt).
  const done = new Map<string, number>();
  const succeeded = new Map(
    audit.calls.filter((c) => c.status === 'succeeded').map((c) => [c.id, c.attempt]),
  );
  for (const j of audit.journal) {
    if (j.status === 'started' && succeeded.get(j.callId) === j.attempt)
      violations.push(
        `journal: call ${j.callId} succeeded on attempt ${j.attempt}, which left step ${j.stepPath} started (its end was lost)`,
      );
    const tokens = new Set((attemptsOf.get(j.callId) ?? []).map((a) => a.leaseToken));
    if (!tokens.has(j.leaseToken))
      violations.push(
        `fencing: journal entry of call ${j.callId} step ${j.stepPath} under token ${j.leaseToken}, which no attempt holds`,
      );
    if (j.status === 'succeeded') {
      const k = `${j.callId}\u0000${j.stepPath}`;
      done.set(k, (done.get(k) ?? 0) + 1);
    }
  }
  for (const [k, n] of done)
    if (n > 1)
      violations.push(
        `journal: step ${k.replace('\u0000', ' ')} succeeded ${n} times (a finished step ran again)`,
      );

  // Effects: at most one per (call, step) where the downstream honours a key; duplicates flagged otherwise.
  let duplicatedEffects = 0;
  let flaggedDuplicates = 0;
  let effects = 0;
  for (const source of sources) {
    effects += source.effects.length;
    const groups = new Map<string, typeof source.effects>();
    for (const e of source.effects) {
      // One effect per operation and key: a confirmed create is two operations under one key.
      const g =
        source.policy === 'flag'
          ? (source.callOf?.(e) ?? null)
          : e.idempotencyKey && `${e.operation} ${e.idempotencyKey}`;
      if (g === null) continue;
      groups.set(g, [...(groups.get(g) ?? []), e]);
      const callId = source.callOf?.(e);
      if (callId !== undefined && callId !== null && !byId.has(callId)) {
        unexpected++;
        violations.push(
          `unexpected effect: ${source.name} ${e.operation} for call ${callId}, not in the store`,
        );
      }
    }
    for (const [g, list] of groups) {
      const extra =
        source.policy === 'key-target' ? new Set(list.map((e) => e.target)).size - 1 : list.length - 1;
      if (extra <= 0) continue;
      if (source.policy === 'flag') flaggedDuplicates += extra;
      else {
        duplicatedEffects += extra;
        violations.push(
          `duplicated effect: ${source.name} ${list[0]!.operation} ×${list.length} for key ${g} (targets ${list.map((e) => `${e.target}@${e.at}`).join(' ')})`,
        );
      }
    }
  }

  const byStatus: Record<string, number> = {};
  for (const c of audit.calls) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  settle.sort((a, b) => a - b);
  const pct = (p: number) =>
    settle.length ? settle[Math.min(settle.length - 1, Math.floor(p * settle.length))]! : 0;
  return {
    figures: {
      ...history.summary(),
      callsInStore: audit.calls.length,
      byStatus,
      lost,
      recovered,
      unexpected,
      duplicatedCalls,
      duplicatedEffects,
      flaggedDuplicates,
      effects,
      crashRecoveries,
      staleCompletionsRejected,
      settleMs: { p50: pct(0.5), p99: pct(0.99), max: settle.at(-1) ?? 0 },
      boundMs: Math.round(boundMs),
    },
    violations,
  };
}

/** The ops of a history, for messages. */
export function describeOps(ops: Op[]): string {
  return ops.map((o) => `${o.id}:${o.key}:${o.outcome}${o.errorCode ? `(${o.errorCode})` : ''}`).join(' ');
}
