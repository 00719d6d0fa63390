import type { JsonObject } from '../../core/json.js';
import type { AnswerOutcome, AskRecord, JournalWrite, NewAsk } from '../store.js';
import { inputTimeoutError, toAsk, toJson, type AskRow } from '../rows.js';
import { NOW, NOW_ISO, type Db } from './db.js';
import { HELD, journalCtes, journalParams } from './journal.js';

/**
 * The holder suspends the call: its write-behind journal entries and the ask step's own entry (the last
 * insert, started), the call parked in input_required with the ask's expiry in run_after, the ask, and
 * the attempt ended `input_required`, in one statement fenced by HELD.
 *
 * $1 call, $2 token, $3 journal inserts, $4 journal finishes, $5 ttl ms, $6 ask token, $7 step path,
 * $8 attempt, $9 requests.
 */
const SUSPEND = `
WITH ${HELD}, ${journalCtes(3, 4)},
parked AS (
  UPDATE calls c SET status = 'input_required', run_after = ${NOW} + $5::bigint, lease_expires_at = NULL,
    updated_at = ${NOW}
  FROM held h WHERE c.id = h.id
  RETURNING c.id, c.workspace),
asked AS (
  INSERT INTO asks (token, workspace, call_id, step_path, attempt, requests, answers, status, created_at,
    expires_at)
  SELECT $6, p.workspace, p.id, $7, $8::integer, $9, '{}', 'open', ${NOW}, ${NOW} + $5::bigint FROM parked p),
ended AS (
  UPDATE attempts a SET outcome = 'input_required', error = NULL, ended_at = ${NOW}
  FROM held h WHERE a.call_id = h.id AND a.lease_token = h.lease_token AND a.outcome = 'running'),
noted AS (
  UPDATE attempts a SET note = concat_ws(chr(10), a.note,
    'stale_completion: input_required rejected at ' || ${NOW_ISO} || ', the lease was no longer held')
  WHERE a.call_id = $1 AND a.lease_token = $2 AND NOT EXISTS (SELECT 1 FROM held))
SELECT count(*)::integer AS parked FROM parked`;

const OPEN_OF = `
SELECT a.* FROM asks a JOIN calls c ON c.id = a.call_id
WHERE a.call_id = $1 AND a.status = 'open' AND c.status = 'input_required'
ORDER BY a.created_at DESC LIMIT 1`;

const END_ASK_STEP = `
UPDATE journal SET status = $4, output = $5, error = $6, finished_at = ${NOW}
WHERE call_id = $1 AND attempt = $2 AND step_path = $3 AND kind = 'ask' AND status = 'started'`;

// Waiting for the client does not spend the call's deadline: it moves on by the time waited. $1 call,
// $2 the ask's created_at.
const RESUME = `
UPDATE calls SET status = 'queued', run_after = ${NOW}, updated_at = ${NOW},
  deadline_at = CASE WHEN deadline_at IS NULL THEN NULL ELSE deadline_at + greatest(0, ${NOW} - $2::bigint) END
WHERE id = $1 AND status = 'input_required'`;

// Calls whose ask expired; rows someone is writing right now (an answer) are left for the next sweep.
const EXPIRED = `
SELECT id FROM calls WHERE status = 'input_required' AND run_after <= ${NOW}
FOR NO KEY UPDATE SKIP LOCKED`;

export interface AskOps {
  suspend(callId: string, token: number, ask: NewAsk, journal?: readonly JournalWrite[]): Promise<boolean>;
  getAsk(token: string): Promise<AskRecord | null>;
  getOpenAsk(callId: string): Promise<AskRecord | null>;
  answerAsk(token: string, answers: JsonObject): Promise<AnswerOutcome | null>;
  expireAsks(): Promise<string[]>;
}

/**
 * Calls waiting for client input. Answers and expiry lock the call's row first (then its ask), so an
 * answer, an expiry and a cancel are serialised: whichever comes second finds the call moved on.
 */
export function createAskOps(db: Db, changed: () => void): AskOps {
  return {
    async suspend(id, token, ask, journal = []) {
      const [row] = await db.query<{ parked: number }>(SUSPEND, [
        id,
        token,
        ...journalParams(journal, ask.step),
        ask.ttlMs,
        ask.token,
        ask.step.stepPath,
        ask.step.attempt,
        JSON.stringify(ask.requests),
      ]);
      const ok = row?.parked === 1;
      if (ok) changed();
      return ok;
    },
    async getAsk(token) {
      const [row] = await db.read<AskRow>('SELECT * FROM asks WHERE token = $1', [token]);
      return row ? toAsk(row) : null;
    },
    async getOpenAsk(callId) {
      const [row] = await db.read<AskRow>(OPEN_OF, [callId]);
      return row ? toAsk(row) : null;
    },
    async answerAsk(token, given) {
      const outcome = await db.transaction(async (q): Promise<AnswerOutcome | null> => {
        const [found] = await q<AskRow>('SELECT * FROM asks WHERE token = $1', [token]);
        if (!found) return null;
        const [call] = await q<{ status: string }>(
          'SELECT status FROM calls WHERE id = $1 FOR NO KEY UPDATE',
          [found.call_id],
        );
        const [row] = await q<AskRow & { now: number }>(
          `SELECT *, ${NOW} AS now FROM asks WHERE token = $1 FOR UPDATE`,
          [token],
        );
        if (!row) return null;
        const ask = toAsk(row);
        if (ask.status !== 'open' || call?.status !== 'input_required') return { kind: 'closed', ask };
        const answers: JsonObject = { ...ask.answers };
        for (const key of Object.keys(ask.requests)) {
          const value = given[key];
          if (Object.hasOwn(given, key) && value !== undefined) answers[key] = value;
        }
        const complete = Object.keys(ask.requests).every((key) => Object.hasOwn(answers, key));
        const now = row.now;
        await q(`UPDATE asks SET answers = $2, status = $3, answered_at = $4 WHERE token = $1`, [
          token,
          JSON.stringify(answers),
          complete ? 'answered' : 'open',
          complete ? now : null,
        ]);
        const next: AskRecord = {
          ...ask,
          answers,
          status: complete ? 'answered' : 'open',
          answeredAt: complete ? now : null,
        };
        if (!complete) return { kind: 'partial', ask: next };
        await q(END_ASK_STEP, [
          ask.callId,
          ask.attempt,
          ask.stepPath,
          'succeeded',
          JSON.stringify(answers),
          null,
        ]);
        await q(RESUME, [ask.callId, ask.createdAt]);
        return { kind: 'answered', ask: next };
      });
      if (outcome?.kind === 'answered') changed();
      return outcome;
    },
    async expireAsks() {
      // A read probe first: most sweeps find nothing, and a probe opens no transaction.
      const [due] = await db.read<{ due: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM calls WHERE status = 'input_required' AND run_after <= ${NOW}) AS due`,
      );
      if (!due?.due) return [];
      const ids = await db.transaction(async (q) => {
        const rows = await q<{ id: string }>(EXPIRED);
        for (const { id } of rows) {
          const [open] = await q<AskRow>(OPEN_OF, [id]);
          const error = toJson(inputTimeoutError(open?.step_path ?? 'ask'));
          await q(
            `UPDATE calls SET status = 'failed', error = $2, result = NULL, settled_at = ${NOW}, updated_at = ${NOW}
             WHERE id = $1 AND status = 'input_required'`,
            [id, error],
          );
          if (!open) continue;
          await q(`UPDATE asks SET status = 'expired' WHERE token = $1`, [open.token]);
          await q(END_ASK_STEP, [id, open.attempt, open.step_path, 'failed', null, error]);
        }
        return rows.map((row) => row.id);
      });
      if (ids.length > 0) changed();
      return ids;
    },
  };
}
