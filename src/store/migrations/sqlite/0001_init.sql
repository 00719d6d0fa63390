-- Switchyard store, SQLite, version 1.
-- Times are integer milliseconds since the epoch; JSON values are TEXT.
-- Every tenant-owned row carries `workspace`, so multi-tenancy needs no data migration.

CREATE TABLE schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  checksum   TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
);

-- Releases -------------------------------------------------------------------------------------------

CREATE TABLE releases (
  id         TEXT    PRIMARY KEY,
  workspace  TEXT    NOT NULL,
  digest     TEXT    NOT NULL,
  note       TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX releases_by_workspace ON releases (workspace, created_at);

-- Content-addressed: a recipe deployed unchanged in many releases is stored once per workspace.
CREATE TABLE recipe_versions (
  workspace  TEXT    NOT NULL,
  digest     TEXT    NOT NULL,
  source     TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace, digest)
);

CREATE TABLE release_recipes (
  workspace  TEXT NOT NULL,
  release_id TEXT NOT NULL REFERENCES releases (id),
  tool       TEXT NOT NULL,
  digest     TEXT NOT NULL,
  file       TEXT NOT NULL,
  PRIMARY KEY (release_id, tool),
  FOREIGN KEY (workspace, digest) REFERENCES recipe_versions (workspace, digest)
);

-- Calls stay pinned to their release, so a release must never change under them.
CREATE TRIGGER releases_immutable BEFORE UPDATE ON releases
BEGIN SELECT RAISE(ABORT, 'releases are immutable'); END;
CREATE TRIGGER recipe_versions_immutable BEFORE UPDATE ON recipe_versions
BEGIN SELECT RAISE(ABORT, 'recipe versions are immutable'); END;
CREATE TRIGGER release_recipes_immutable BEFORE UPDATE ON release_recipes
BEGIN SELECT RAISE(ABORT, 'release recipes are immutable'); END;

CREATE TABLE workspaces (
  workspace         TEXT    PRIMARY KEY,
  active_release_id TEXT    NOT NULL REFERENCES releases (id),
  updated_at        INTEGER NOT NULL
);

-- Calls ------------------------------------------------------------------------------------------------

CREATE TABLE calls (
  id                 TEXT    PRIMARY KEY,
  workspace          TEXT    NOT NULL,
  tool               TEXT    NOT NULL,
  release_id         TEXT    NOT NULL REFERENCES releases (id),
  args               TEXT    NOT NULL,
  args_hash          TEXT    NOT NULL,
  idempotency_key    TEXT,
  idempotency_source TEXT    CHECK (idempotency_source IN ('recipe', 'header', 'meta', 'content')),
  status             TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'retry_wait', 'input_required',
                               'succeeded', 'failed', 'cancelled', 'dead', 'outcome_unknown')),
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
  settled_at         INTEGER
);
-- Claim: one seek per runnable status, already in run_after order. Also serves nextWakeAt, counts and
-- lease expiry: running calls are few (bounded by worker concurrency), and an index on lease_expires_at
-- would be rewritten by every heartbeat.
CREATE INDEX calls_claim ON calls (status, run_after, created_at);
CREATE INDEX calls_by_workspace ON calls (workspace, created_at);
CREATE INDEX calls_settled ON calls (settled_at) WHERE settled_at IS NOT NULL;

-- One key per workspace and tool; an expired key is replaced in place and points at the newer call.
CREATE TABLE idempotency_keys (
  workspace  TEXT    NOT NULL,
  tool       TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  args_hash  TEXT    NOT NULL,
  call_id    TEXT    NOT NULL REFERENCES calls (id),
  source     TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (workspace, tool, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
CREATE INDEX idempotency_keys_call ON idempotency_keys (call_id);

-- Journal: one row per step execution, the audit trail and the resume point --------------------------

CREATE TABLE journal (
  id          INTEGER PRIMARY KEY,
  workspace   TEXT    NOT NULL,
  call_id     TEXT    NOT NULL REFERENCES calls (id),
  attempt     INTEGER NOT NULL,
  step_path   TEXT    NOT NULL,
  kind        TEXT    NOT NULL CHECK (kind IN ('action', 'call', 'return', 'fail', 'compensate')),
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
CREATE INDEX journal_by_call ON journal (call_id, id);

-- One row per claim; `note` keeps audit remarks such as a settlement rejected for a stale lease.
CREATE TABLE attempts (
  workspace   TEXT    NOT NULL,
  call_id     TEXT    NOT NULL REFERENCES calls (id),
  attempt     INTEGER NOT NULL,
  lease_token INTEGER NOT NULL,
  worker_id   TEXT    NOT NULL,
  outcome     TEXT    NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'retry', 'crashed', 'released',
                        'dead', 'outcome_unknown', 'cancelled')),
  error       TEXT,
  note        TEXT,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  PRIMARY KEY (call_id, attempt)
);
