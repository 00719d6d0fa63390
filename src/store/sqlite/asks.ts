import type { JsonObject } from '../../core/json.js';
import type { AnswerOutcome, AskRecord, JournalWrite, NewAsk } from '../store.js';
import { inputTimeoutError, toAsk, toJson, type AskRow } from '../rows.js';
import type { AttemptLog } from './attempt-log.js';
import type { SqliteDatabase } from './open.js';

export interface AskOps {
  suspend(callId: string, token: number, ask: NewAsk, journal: readonly JournalWrite[]): boolean;
  getAsk(token: string): AskRecord | null;
  getOpenAsk(callId: string): AskRecord | null;
  answerAsk(token: string, answers: JsonObject): AnswerOutcome | null;
  /** Read-only: has any open ask expired? (Checked before taking the write lock.) */
  hasExpired(): boolean;
  expireAsks(): string[];
}

/**
 * Calls waiting for client input. The holder's suspension is fenced like a settlement (`id AND
 * lease_token AND status = 'running'`); answers and expiry are fenced by the ask being open and its call
 * still in input_required, so a cancel, an expiry and an answer cannot both win.
 */
export function createAskOps(
  db: SqliteDatabase,
  attempts: AttemptLog,
  changed: () => void,
  applyJournal: (callId: string, token: number, writes: readonly JournalWrite[]) => void,
): AskOps {
  const FENCE = `id = @id AND lease_token = @token AND status = 'running'`;
  const startAsk = db.prepare(
    `INSERT INTO journal (workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token,
       request, started_at)
     SELECT workspace, id, @attempt, @stepPath, @kind, @target, @effect, @workerId, lease_token, @request, @now
     FROM calls WHERE ${FENCE}`,
  );
  const park = db.prepare<{ id: string; token: number; now: number; until: number }, { workspace: string }>(
    `UPDATE calls SET status = 'input_required', run_after = @until, lease_expires_at = NULL, updated_at = @now
     WHERE ${FENCE} RETURNING workspace`,
  );
  const insertAsk = db.prepare(
    `INSERT INTO asks (token, workspace, call_id, step_path, attempt, requests, answers, status, created_at,
       expires_at)
     VALUES (@token, @workspace, @callId, @stepPath, @attempt, @requests, '{}', 'open', @now, @until)`,
  );
  const byToken = db.prepare<[string], AskRow>('SELECT * FROM asks WHERE token = ?');
  const openOf = db.prepare<[string], AskRow>(
    `SELECT a.* FROM asks a JOIN calls c ON c.id = a.call_id
     WHERE a.call_id = ? AND a.status = 'open' AND c.status = 'input_required'
     ORDER BY a.created_at DESC, a.rowid DESC LIMIT 1`,
  );
  const callOf = db.prepare<[string], { status: string }>('SELECT status FROM calls WHERE id = ?');
  const saveAnswers = db.prepare(
    `UPDATE asks SET answers = @answers, status = @status, answered_at = @answeredAt WHERE token = @token`,
  );
  const endAskStep = db.prepare(
    `UPDATE journal SET status = @status, output = @output, error = @error, finished_at = @now
     WHERE call_id = @callId AND attempt = @attempt AND step_path = @stepPath AND kind = 'ask'
       AND status = 'started'`,
  );
  // Waiting for the client does not spend the call's deadline: it moves on by the time waited.
  const resume = db.prepare(
    `UPDATE calls SET status = 'queued', run_after = @now, updated_at = @now,
       deadline_at = CASE WHEN deadline_at IS NULL THEN NULL ELSE deadline_at + @waited END
     WHERE id = @callId AND status = 'input_required'`,
  );
  const anyExpired = db
    .prepare<[number]>(
      `SELECT EXISTS (SELECT 1 FROM calls WHERE status = 'input_required' AND run_after <= ?)`,
    )
    .pluck();
  const expired = db.prepare<[number], { id: string }>(
    `SELECT id FROM calls WHERE status = 'input_required' AND run_after <= ?`,
  );
  const failCall = db.prepare(
    `UPDATE calls SET status = 'failed', error = @error, result = NULL, settled_at = @now, updated_at = @now
     WHERE id = @callId AND status = 'input_required'`,
  );

  const suspend = db.transaction(
    (id: string, token: number, ask: NewAsk, journal: readonly JournalWrite[]): boolean => {
      // The write-behind entries and the ask's own entry go first: their fence holds until the call
      // leaves `running`.
      if (journal.length > 0) applyJournal(id, token, journal);
      const now = Date.now();
      const step = ask.step;
      startAsk.run({ ...step, id, token, request: toJson(step.request), now });
      const until = now + ask.ttlMs;
      const parked = park.get({ id, token, now, until });
      if (!parked) {
        attempts.note(
          id,
          token,
          `stale_completion: input_required rejected at ${new Date(now).toISOString()}, the lease was no longer held`,
        );
        return false;
      }
      insertAsk.run({
        token: ask.token,
        workspace: parked.workspace,
        callId: id,
        stepPath: step.stepPath,
        attempt: step.attempt,
        requests: JSON.stringify(ask.requests),
        now,
        until,
      });
      attempts.end(id, token, 'input_required', null, now);
      return true;
    },
  );

  const answer = db.transaction((token: string, given: JsonObject): AnswerOutcome | null => {
    const row = byToken.get(token);
    if (!row) return null;
    const ask = toAsk(row);
    if (ask.status !== 'open' || callOf.get(ask.callId)?.status !== 'input_required')
      return { kind: 'closed', ask };
    const answers: JsonObject = { ...ask.answers };
    for (const key of Object.keys(ask.requests)) {
      const value = given[key];
      if (Object.hasOwn(given, key) && value !== undefined) answers[key] = value;
    }
    const now = Date.now();
    const complete = Object.keys(ask.requests).every((key) => Object.hasOwn(answers, key));
    saveAnswers.run({
      token,
      answers: JSON.stringify(answers),
      status: complete ? 'answered' : 'open',
      answeredAt: complete ? now : null,
    });
    const next: AskRecord = {
      ...ask,
      answers,
      status: complete ? 'answered' : 'open',
      answeredAt: complete ? now : null,
    };
    if (!complete) return { kind: 'partial', ask: next };
    endAskStep.run({
      callId: ask.callId,
      attempt: ask.attempt,
      stepPath: ask.stepPath,
      status: 'succeeded',
      output: JSON.stringify(answers),
      error: null,
      now,
    });
    resume.run({ callId: ask.callId, now, waited: Math.max(0, now - ask.createdAt) });
    return { kind: 'answered', ask: next };
  });

  const expire = db.transaction((): string[] => {
    const now = Date.now();
    const ids = expired.all(now).map((row) => row.id);
    for (const callId of ids) {
      const open = openOf.get(callId);
      const error = inputTimeoutError(open?.step_path ?? 'ask');
      failCall.run({ callId, error: toJson(error), now });
      if (!open) continue;
      saveAnswers.run({ token: open.token, answers: open.answers, status: 'expired', answeredAt: null });
      endAskStep.run({
        callId,
        attempt: open.attempt,
        stepPath: open.step_path,
        status: 'failed',
        output: null,
        error: toJson(error),
        now,
      });
    }
    return ids;
  });

  return {
    suspend(id, token, ask, journal) {
      const ok = suspend.immediate(id, token, ask, journal);
      if (ok) changed();
      return ok;
    },
    getAsk: (token) => {
      const row = byToken.get(token);
      return row ? toAsk(row) : null;
    },
    getOpenAsk: (callId) => {
      const row = openOf.get(callId);
      return row ? toAsk(row) : null;
    },
    answerAsk(token, answers) {
      const outcome = answer.immediate(token, answers);
      if (outcome?.kind === 'answered') changed();
      return outcome;
    },
    hasExpired: () => Boolean(anyExpired.get(Date.now())),
    expireAsks() {
      if (!anyExpired.get(Date.now())) return [];
      const ids = expire.immediate();
      if (ids.length > 0) changed();
      return ids;
    },
  };
}
