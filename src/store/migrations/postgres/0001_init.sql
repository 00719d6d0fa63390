-- Switchyard store, PostgreSQL, version 1: the same tables, columns and meaning as
-- migrations/sqlite/0001_init.sql.
-- Times are BIGINT milliseconds since the epoch, taken from the database clock; JSON values are TEXT,
-- kept exactly as written (jsonb would reorder keys and refuse \u0000), so records read back the same
-- as on SQLite. Every tenant-owned row carries `workspace`, so multi-tenancy needs no data migration.
-- Where SQLite breaks ties by its implicit rowid, these tables have an explicit `seq` identity column.

CREATE TABLE schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  checksum   TEXT    NOT NULL,
  applied_at BIGINT  NOT NULL
);

-- Releases -------------------------------------------------------------------------------------------

CREATE TABLE releases (
  id         TEXT    PRIMARY KEY,
  workspace  TEXT    NOT NULL,
  digest     TEXT    NOT NULL,
  note       TEXT,
  created_at BIGINT  NOT NULL,
  seq        BIGINT  GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX releases_by_workspace ON releases (workspace, created_at, seq);

-- Content-addressed: a recipe deployed unchanged in many releases is stored once per workspace.
CREATE TABLE recipe_versions (
  workspace  TEXT    NOT NULL,
  digest     TEXT    NOT NULL,
  source     TEXT    NOT NULL,
  created_at BIGINT  NOT NULL,
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
CREATE FUNCTION switchyard_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% are immutable', TG_ARGV[0];
END
$$;
CREATE TRIGGER releases_immutable BEFORE UPDATE ON releases
  FOR EACH ROW EXECUTE FUNCTION switchyard_immutable('releases');
CREATE TRIGGER recipe_versions_immutable BEFORE UPDATE ON recipe_versions
  FOR EACH ROW EXECUTE FUNCTION switchyard_immutable('recipe versions');
CREATE TRIGGER release_recipes_immutable BEFORE UPDATE ON release_recipes
  FOR EACH ROW EXECUTE FUNCTION switchyard_immutable('release recipes');

CREATE TABLE workspaces (
  workspace         TEXT    PRIMARY KEY,
  active_release_id TEXT    NOT NULL REFERENCES releases (id),
  updated_at        BIGINT  NOT NULL
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
  lease_expires_at   BIGINT,
  worker_id          TEXT,
  run_after          BIGINT  NOT NULL,
  deadline_at        BIGINT,
  result             TEXT,
  error              TEXT,
  meta               TEXT    NOT NULL DEFAULT '{}',
  created_at         BIGINT  NOT NULL,
  updated_at         BIGINT  NOT NULL,
  settled_at         BIGINT,
  seq                BIGINT  GENERATED ALWAYS AS IDENTITY
);
-- Claim: the runnable calls in claim order (FOR UPDATE SKIP LOCKED walks it and skips rows other
-- claimers hold). By status: counts, the queue-depth query, retry wake-ups and lease expiry (running
-- calls are few: bounded by worker concurrency; an index on lease_expires_at would be rewritten by every
-- heartbeat).
CREATE INDEX calls_runnable ON calls (run_after, created_at, seq) WHERE status IN ('queued', 'retry_wait');
CREATE INDEX calls_by_status ON calls (status, run_after);
CREATE INDEX calls_by_workspace ON calls (workspace, created_at);
CREATE INDEX calls_settled ON calls (settled_at) WHERE settled_at IS NOT NULL;

-- The change signal: a commit that inserts a call or moves one (status, run_after) notifies the
-- `switchyard_calls` channel; every store LISTENs on it (NOTIFY is per database, delivered at commit,
-- and duplicates within a transaction fold into one). Heartbeats notify nobody.
CREATE FUNCTION switchyard_calls_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('switchyard_calls', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER calls_inserted AFTER INSERT ON calls
  FOR EACH ROW EXECUTE FUNCTION switchyard_calls_changed();
CREATE TRIGGER calls_moved AFTER UPDATE ON calls
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.run_after IS DISTINCT FROM NEW.run_after)
  EXECUTE FUNCTION switchyard_calls_changed();

-- One key per workspace and tool; an expired key is replaced in place and points at the newer call.
CREATE TABLE idempotency_keys (
  workspace  TEXT    NOT NULL,
  tool       TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  args_hash  TEXT    NOT NULL,
  call_id    TEXT    NOT NULL REFERENCES calls (id),
  source     TEXT,
  created_at BIGINT  NOT NULL,
  expires_at BIGINT  NOT NULL,
  PRIMARY KEY (workspace, tool, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
CREATE INDEX idempotency_keys_call ON idempotency_keys (call_id);

-- Journal: one row per step execution, the audit trail and the resume point --------------------------

CREATE TABLE journal (
  id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
  started_at  BIGINT  NOT NULL,
  finished_at BIGINT
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
  started_at  BIGINT  NOT NULL,
  ended_at    BIGINT,
  PRIMARY KEY (call_id, attempt)
);
