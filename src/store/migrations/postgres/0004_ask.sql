-- `ask` steps: a call waits in `input_required` for client input (MCP 2026-07-28 InputRequiredResult,
-- SEP-2322, or the Tasks extension's tasks/update). The same tables and meaning as
-- migrations/sqlite/0004_ask.sql. While a call waits, `calls.run_after` holds the ask's expiry, so
-- calls_by_status (status, run_after) finds expired asks as it finds due retries.

-- One row per question asked. `token` is the opaque, unguessable `requestState` a client echoes back:
-- any gateway resumes the call by looking it up here, and nothing else the client sends is trusted.
CREATE TABLE asks (
  token       TEXT    PRIMARY KEY,
  workspace   TEXT    NOT NULL,
  call_id     TEXT    NOT NULL REFERENCES calls (id),
  step_path   TEXT    NOT NULL,
  attempt     INTEGER NOT NULL,
  -- The input requests as sent: key → { method, params }.
  requests    TEXT    NOT NULL,
  -- The responses received so far, by key (several requests may be answered one at a time).
  answers     TEXT    NOT NULL DEFAULT '{}',
  status      TEXT    NOT NULL CHECK (status IN ('open', 'answered', 'expired')),
  created_at  BIGINT  NOT NULL,
  expires_at  BIGINT  NOT NULL,
  answered_at BIGINT
);
CREATE INDEX asks_by_call ON asks (call_id, created_at);

-- The journal gains the `ask` step kind and attempts the `input_required` outcome.
ALTER TABLE journal DROP CONSTRAINT journal_kind_check;
ALTER TABLE journal ADD CONSTRAINT journal_kind_check
  CHECK (kind IN ('action', 'call', 'return', 'fail', 'compensate', 'ask'));
ALTER TABLE attempts DROP CONSTRAINT attempts_outcome_check;
ALTER TABLE attempts ADD CONSTRAINT attempts_outcome_check
  CHECK (outcome IN ('running', 'succeeded', 'failed', 'retry', 'crashed', 'released', 'dead', 'outcome_unknown',
    'cancelled', 'input_required'));
