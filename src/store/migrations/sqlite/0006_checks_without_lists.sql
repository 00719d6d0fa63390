-- CHECK constraints as comparisons instead of IN lists. SQLite evaluates `x IN (a, b, c, ...)` of more
-- than two constants through a temporary b-tree built once per statement: every INSERT or UPDATE of a
-- call, an attempt or a journal entry built and dropped one per such constraint, nine on each call's
-- path (about a third of the cost of its writes, docs/benchmarks.md). `x = a OR x = b ...` accepts and
-- refuses exactly the same values and is evaluated in place.
--
-- SQLite cannot change a CHECK constraint in place: the tables are rebuilt with the same columns, rows
-- and rowids (the claim orders ties by rowid), then their indexes. `calls` is referenced by the other
-- tables; the migration runs with foreign key enforcement off and checks every key before it commits
-- (sqlite/migrate.ts, as https://sqlite.org/lang_altertable.html#otheralter describes).

CREATE TABLE calls_v6 (
  id                 TEXT    PRIMARY KEY,
  workspace          TEXT    NOT NULL,
  tool               TEXT    NOT NULL,
  release_id         TEXT    NOT NULL REFERENCES releases (id),
  args               TEXT    NOT NULL,
  args_hash          TEXT    NOT NULL,
  idempotency_key    TEXT,
  idempotency_source TEXT    CHECK (idempotency_source = 'recipe' OR idempotency_source = 'header'
                               OR idempotency_source = 'meta' OR idempotency_source = 'content'),
  status             TEXT    NOT NULL CHECK (status = 'queued' OR status = 'running' OR status = 'retry_wait'
                               OR status = 'input_required' OR status = 'succeeded' OR status = 'failed'
                               OR status = 'cancelled' OR status = 'dead' OR status = 'outcome_unknown'),
  attempt            INTEGER NOT NULL DEFAULT 0,
  error_attempts     INTEGER NOT NULL DEFAULT 0,
  crash_count        INTEGER NOT NULL DEFAULT 0,
  max_attempts       INTEGER NOT NULL,
  lease_token        INTEGER NOT NULL DEFAULT 0,
  lease_expires_at   INTEGER,
  worker_id          TEXT,
  run_after          INTEGER NOT NULL,
  deadline_at        INTEGER,
  result             TEXT,
  error              TEXT,
  meta               TEXT    NOT NULL DEFAULT '{}',
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  settled_at         INTEGER,
  concurrency_limit  INTEGER CHECK (concurrency_limit IS NULL OR concurrency_limit > 0),
  isolated           INTEGER NOT NULL DEFAULT 0 CHECK (isolated = 0 OR isolated = 1)
);
INSERT INTO calls_v6 (rowid, id, workspace, tool, release_id, args, args_hash, idempotency_key, idempotency_source,
  status, attempt, error_attempts, crash_count, max_attempts, lease_token, lease_expires_at, worker_id, run_after,
  deadline_at, result, error, meta, created_at, updated_at, settled_at, concurrency_limit, isolated)
SELECT rowid, id, workspace, tool, release_id, args, args_hash, idempotency_key, idempotency_source,
  status, attempt, error_attempts, crash_count, max_attempts, lease_token, lease_expires_at, worker_id, run_after,
  deadline_at, result, error, meta, created_at, updated_at, settled_at, concurrency_limit, isolated
FROM calls;
DROP TABLE calls;
ALTER TABLE calls_v6 RENAME TO calls;
CREATE INDEX calls_claim ON calls (status, run_after, created_at);
CREATE INDEX calls_by_workspace ON calls (workspace, created_at);
CREATE INDEX calls_settled ON calls (settled_at) WHERE settled_at IS NOT NULL;
CREATE INDEX calls_lanes ON calls (workspace, tool, run_after, created_at) WHERE status IN ('queued', 'retry_wait');
CREATE INDEX calls_running_lanes ON calls (workspace, tool) WHERE status = 'running';
CREATE INDEX calls_suspects ON calls (run_after, created_at) WHERE status IN ('queued', 'retry_wait') AND crash_count > 0;

CREATE TABLE journal_v6 (
  id          INTEGER PRIMARY KEY,
  workspace   TEXT    NOT NULL,
  call_id     TEXT    NOT NULL REFERENCES calls (id),
  attempt     INTEGER NOT NULL,
  step_path   TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind = 'action' OR kind = 'call' OR kind = 'return' OR kind = 'fail'
                        OR kind = 'compensate' OR kind = 'ask'),
  target      TEXT,
  effect      TEXT    NOT NULL CHECK (effect = 'none' OR effect = 'keyed' OR effect = 'unsafe'),
  worker_id   TEXT    NOT NULL,
  lease_token INTEGER NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'started' CHECK (status = 'started' OR status = 'succeeded'
                        OR status = 'failed' OR status = 'skipped'),
  request     TEXT,
  response    TEXT,
  output      TEXT,
  error       TEXT,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER
);
INSERT INTO journal_v6 (id, workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token,
  status, request, response, output, error, started_at, finished_at)
SELECT id, workspace, call_id, attempt, step_path, kind, target, effect, worker_id, lease_token,
  status, request, response, output, error, started_at, finished_at FROM journal;
DROP TABLE journal;
ALTER TABLE journal_v6 RENAME TO journal;
CREATE INDEX journal_by_call ON journal (call_id, id);

CREATE TABLE attempts_v6 (
  workspace   TEXT    NOT NULL,
  call_id     TEXT    NOT NULL REFERENCES calls (id),
  attempt     INTEGER NOT NULL,
  lease_token INTEGER NOT NULL,
  worker_id   TEXT    NOT NULL,
  outcome     TEXT    NOT NULL CHECK (outcome = 'running' OR outcome = 'succeeded' OR outcome = 'failed'
                        OR outcome = 'retry' OR outcome = 'crashed' OR outcome = 'released' OR outcome = 'dead'
                        OR outcome = 'outcome_unknown' OR outcome = 'cancelled' OR outcome = 'input_required'),
  error       TEXT,
  note        TEXT,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  PRIMARY KEY (call_id, attempt)
);
INSERT INTO attempts_v6 (rowid, workspace, call_id, attempt, lease_token, worker_id, outcome, error, note,
  started_at, ended_at)
SELECT rowid, workspace, call_id, attempt, lease_token, worker_id, outcome, error, note, started_at, ended_at
FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_v6 RENAME TO attempts;

CREATE TABLE asks_v6 (
  token       TEXT    PRIMARY KEY,
  workspace   TEXT    NOT NULL,
  call_id     TEXT    NOT NULL REFERENCES calls (id),
  step_path   TEXT    NOT NULL,
  attempt     INTEGER NOT NULL,
  -- The input requests as sent: key → { method, params }.
  requests    TEXT    NOT NULL,
  -- The responses received so far, by key (several requests may be answered one at a time).
  answers     TEXT    NOT NULL DEFAULT '{}',
  status      TEXT    NOT NULL CHECK (status = 'open' OR status = 'answered' OR status = 'expired'),
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  answered_at INTEGER
);
INSERT INTO asks_v6 (rowid, token, workspace, call_id, step_path, attempt, requests, answers, status, created_at,
  expires_at, answered_at)
SELECT rowid, token, workspace, call_id, step_path, attempt, requests, answers, status, created_at, expires_at,
  answered_at FROM asks;
DROP TABLE asks;
ALTER TABLE asks_v6 RENAME TO asks;
CREATE INDEX asks_by_call ON asks (call_id, created_at);
