-- The vault: connections with their secrets sealed (AES-256-GCM, bound to workspace and connection id),
-- and OAuth2 access tokens, sealed the same way, shared by every worker. Mirrors
-- migrations/sqlite/0002_vault.sql.

CREATE TABLE connections (
  workspace  TEXT    NOT NULL,
  name       TEXT    NOT NULL,
  -- Random, stable across updates: bound into the seal, so a sealed value cannot be moved to another row.
  id         TEXT    NOT NULL UNIQUE,
  connector  TEXT    NOT NULL,
  config     TEXT    NOT NULL,
  -- Names of the secret fields (shown by `connections ls`); the values only ever live in `sealed`.
  secret_names TEXT  NOT NULL,
  sealed     TEXT    NOT NULL,
  created_at BIGINT  NOT NULL,
  updated_at BIGINT  NOT NULL,
  PRIMARY KEY (workspace, name)
);

-- One row per connection that uses OAuth2. `version` counts refreshes; `refresh_owner` and
-- `refresh_until` form a short lease so one worker refreshes while the others wait for its result.
CREATE TABLE connection_tokens (
  connection_id TEXT    PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
  workspace     TEXT    NOT NULL,
  sealed        TEXT,
  expires_at    BIGINT,
  version       INTEGER NOT NULL DEFAULT 0,
  refresh_owner TEXT,
  refresh_until BIGINT,
  updated_at    BIGINT  NOT NULL
);
