import type { ConnectionRecord, NewConnection, SealedValue, VaultOps } from '../store.js';
import { toConnection, toToken, type ConnectionRow, type TokenRow } from '../rows.js';
import type { SqliteDatabase } from './open.js';

/** The vault's rows. Synchronous (better-sqlite3); the store wraps each call (writes in group commit). */
export type SqliteVaultOps = {
  [K in keyof VaultOps]: (...args: Parameters<VaultOps[K]>) => Awaited<ReturnType<VaultOps[K]>>;
};

export function createVaultOps(db: SqliteDatabase): SqliteVaultOps {
  const getRow = db.prepare<[string, string], ConnectionRow>(
    'SELECT * FROM connections WHERE workspace = ? AND name = ?',
  );
  const listRows = db.prepare<[string], ConnectionRow>(
    'SELECT * FROM connections WHERE workspace = ? ORDER BY name',
  );
  const upsert = db.prepare<Record<string, unknown>, ConnectionRow>(
    `INSERT INTO connections (workspace, name, id, connector, config, secret_names, sealed, created_at, updated_at)
     VALUES (@workspace, @name, @id, @connector, @config, @secretNames, @sealed, @now, @now)
     ON CONFLICT (workspace, name) DO UPDATE SET connector = excluded.connector, config = excluded.config,
       secret_names = excluded.secret_names, sealed = excluded.sealed, updated_at = excluded.updated_at
     RETURNING *`,
  );
  const dropToken = db.prepare('DELETE FROM connection_tokens WHERE connection_id = ?');
  const drop = db.prepare('DELETE FROM connections WHERE workspace = ? AND name = ?');
  const sealedConnections = db.prepare<[], { workspace: string; id: string; sealed: string }>(
    'SELECT workspace, id, sealed FROM connections',
  );
  const sealedTokens = db.prepare<[], { workspace: string; connection_id: string; sealed: string }>(
    'SELECT workspace, connection_id, sealed FROM connection_tokens WHERE sealed IS NOT NULL',
  );
  const resealConnection = db.prepare(
    'UPDATE connections SET sealed = @next WHERE id = @connectionId AND sealed = @sealed',
  );
  const resealToken = db.prepare(
    'UPDATE connection_tokens SET sealed = @next WHERE connection_id = @connectionId AND sealed = @sealed',
  );
  const getToken = db.prepare<[string], TokenRow>('SELECT * FROM connection_tokens WHERE connection_id = ?');
  const ensureToken = db.prepare(
    `INSERT INTO connection_tokens (connection_id, workspace, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (connection_id) DO NOTHING`,
  );
  const lease = db.prepare(
    `UPDATE connection_tokens SET refresh_owner = @owner, refresh_until = @until, updated_at = @now
     WHERE connection_id = @connectionId AND version = @version
       AND (refresh_until IS NULL OR refresh_until <= @now)`,
  );
  const save = db.prepare(
    `UPDATE connection_tokens SET sealed = @sealed, expires_at = @expiresAt, version = version + 1,
       refresh_owner = NULL, refresh_until = NULL, updated_at = @now
     WHERE connection_id = @connectionId AND refresh_owner = @owner`,
  );
  const abandon = db.prepare(
    `UPDATE connection_tokens SET refresh_owner = NULL, refresh_until = NULL
     WHERE connection_id = ? AND refresh_owner = ?`,
  );

  const put = db.transaction((input: NewConnection): ConnectionRecord => {
    const id = getRow.get(input.workspace, input.name)?.id ?? input.id;
    const row = upsert.get({
      workspace: input.workspace,
      name: input.name,
      id,
      connector: input.connector,
      config: JSON.stringify(input.config),
      secretNames: JSON.stringify(input.secretNames),
      sealed: input.seal(id),
      now: Date.now(),
    }) as ConnectionRow;
    // New secrets invalidate a token obtained with the old ones.
    dropToken.run(id);
    return toConnection(row);
  });
  const remove = db.transaction((workspace: string, name: string): boolean => {
    const row = getRow.get(workspace, name);
    if (!row) return false;
    dropToken.run(row.id);
    drop.run(workspace, name);
    return true;
  });
  const reseal = db.transaction((changes: { value: SealedValue; next: string }[]): number => {
    let changed = 0;
    for (const { value, next } of changes) {
      const statement = value.kind === 'connection' ? resealConnection : resealToken;
      changed += statement.run({ connectionId: value.connectionId, sealed: value.sealed, next }).changes;
    }
    return changed;
  });
  const begin = db.transaction(
    (input: { connectionId: string; workspace: string; version: number; owner: string; leaseMs: number }) => {
      const now = Date.now();
      ensureToken.run(input.connectionId, input.workspace, now);
      return lease.run({ ...input, now, until: now + input.leaseMs }).changes === 1;
    },
  );

  return {
    putConnection: (input) => put.immediate(input),
    getConnection: (workspace, name) => {
      const row = getRow.get(workspace, name);
      return row ? toConnection(row) : null;
    },
    listConnections: (workspace) => listRows.all(workspace).map(toConnection),
    deleteConnection: (workspace, name) => remove.immediate(workspace, name),
    listSealed: () => [
      ...sealedConnections.all().map((r): SealedValue => ({
        kind: 'connection',
        workspace: r.workspace,
        connectionId: r.id,
        sealed: r.sealed,
      })),
      ...sealedTokens.all().map((r): SealedValue => ({
        kind: 'token',
        workspace: r.workspace,
        connectionId: r.connection_id,
        sealed: r.sealed,
      })),
    ],
    reseal: (changes) => reseal.immediate(changes),
    getToken: (connectionId) => {
      const row = getToken.get(connectionId);
      return row ? toToken(row) : null;
    },
    beginTokenRefresh: (input) => begin.immediate(input),
    saveToken: (input) => save.run({ ...input, now: Date.now() }).changes === 1,
    abandonTokenRefresh: (connectionId, owner) => void abandon.run(connectionId, owner),
  };
}
