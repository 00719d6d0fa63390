-- `ask` steps: a call waits in `input_required` for client input (MCP 2026-07-28 InputRequiredResult,
-- SEP-2322, or the Tasks extension's tasks/update). While it waits, `calls.run_after` holds the ask's
-- expiry, so the calls_claim index (status, run_after) finds expired asks as it finds due retries.

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
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  answered_at INTEGER
);
CREATE INDEX asks_by_call ON asks (call_id, created_at);

-- The journal gains the `ask` step kind and attempts the `input_required` outcome. SQLite cannot change a
-- CHECK constraint in place: both tables are rebuilt with the same columns.
CREATE TABLE journal_v4 (
  id          INTEGER PRIMARY KEY,
  workspace   TEXT    NOT NULL,
  call_id     TEXT    NOT NULL REFERENCES calls (id),
  attempt     INTEGER NOT NULL,
  step_path   TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('action', 'call', 'return', 'fail', 'compensate', 'ask')),
  target      TEXT,
  effect      TEXT    NOT NULL CHECK (effect IN ('none', 'keyed', 'unsafe')),
  worker_id   TEXT    NOT NULL,
  lease_token INTEGER NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'started' CHECK (status IN ('started', 'succeeded', 'failed', 'skipped')),
  request     TEXT,
  response    TEXT,
  output      TEXT,
  error       TEXT,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER
);
INSERT INTO journal_v4 (id, workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token,
  status, request, response, output, error, started_at, finished_at)
SELECT id, workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token,
  status, request, response, output, error, started_at, finished_at FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v4 RENAME TO journal;
CREATE INDEX journal_by_call ON journal (call_id, id);

CREATE TABLE attempts_v4 (
  workspace   TEXT    NOT NULL,
  call_id     TEXT    NOT NULL REFERENCES calls (id),
  attempt     INTEGER NOT NULL,
  lease_token INTEGER NOT NULL,
  worker_id   TEXT    NOT NULL,
  outcome     TEXT    NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'retry', 'crashed', 'released',
                        'dead', 'outcome_unknown', 'cancelled', 'input_required')),
  error       TEXT,
  note        TEXT,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  PRIMARY KEY (call_id, attempt)
);
INSERT INTO attempts_v4 (workspace, call_id, attempt, lease_token, worker_id, outcome, error, note, started_at,
  ended_at)
SELECT workspace, call_id, attempt, lease_token, worker_id, outcome, error, note, started_at, ended_at
FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_v4 RENAME TO attempts;
