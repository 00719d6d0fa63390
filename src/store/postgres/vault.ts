import type { SealedValue, VaultOps } from '../store.js';
import { toConnection, toToken, type ConnectionRow, type TokenRow } from '../rows.js';
import { NOW, type Db } from './db.js';

const GET = 'SELECT * FROM connections WHERE workspace = $1 AND name = $2';
// $1 workspace, $2 name, $3 id, $4 connector, $5 config, $6 secret names, $7 sealed.
const INSERT = `
INSERT INTO connections (workspace, name, id, connector, config, secret_names, sealed, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, ${NOW}, ${NOW})
ON CONFLICT (workspace, name) DO NOTHING
RETURNING *`;
const UPDATE = `
UPDATE connections SET connector = $4, config = $5, secret_names = $6, sealed = $7, updated_at = ${NOW}
WHERE workspace = $1 AND name = $2 AND id = $3
RETURNING *`;
const SEALED = `
SELECT 'connection' AS kind, workspace, id AS connection_id, sealed FROM connections
UNION ALL
SELECT 'token', workspace, connection_id, sealed FROM connection_tokens WHERE sealed IS NOT NULL`;
// Each value only if it is still the one that was read. $1: [{ kind, connection_id, sealed, next }].
const RESEAL = `
WITH change AS (
  SELECT * FROM json_to_recordset($1::json) AS c(kind text, connection_id text, sealed text, next text)),
connection AS (
  UPDATE connections t SET sealed = c.next FROM change c
  WHERE c.kind = 'connection' AND t.id = c.connection_id AND t.sealed = c.sealed RETURNING 1),
token AS (
  UPDATE connection_tokens t SET sealed = c.next FROM change c
  WHERE c.kind = 'token' AND t.connection_id = c.connection_id AND t.sealed = c.sealed RETURNING 1)
SELECT (SELECT count(*) FROM connection) + (SELECT count(*) FROM token) AS changed`;
const ENSURE_TOKEN = `
INSERT INTO connection_tokens (connection_id, workspace, updated_at) VALUES ($1, $2, ${NOW})
ON CONFLICT (connection_id) DO NOTHING`;
// $1 connection, $2 version, $3 owner, $4 lease ms. Of many racing callers one updates the row; the
// others wait for its lock and then find the lease taken.
const LEASE = `
UPDATE connection_tokens SET refresh_owner = $3, refresh_until = ${NOW} + $4::bigint, updated_at = ${NOW}
WHERE connection_id = $1 AND version = $2 AND (refresh_until IS NULL OR refresh_until <= ${NOW})
RETURNING 1`;
const SAVE = `
UPDATE connection_tokens SET sealed = $3, expires_at = $4, version = version + 1,
  refresh_owner = NULL, refresh_until = NULL, updated_at = ${NOW}
WHERE connection_id = $1 AND refresh_owner = $2
RETURNING 1`;
const ABANDON = `
UPDATE connection_tokens SET refresh_owner = NULL, refresh_until = NULL
WHERE connection_id = $1 AND refresh_owner = $2`;

export function createVaultOps(db: Db): VaultOps {
  return {
    // The seal is bound to the id, so the id must be known before sealing: a new connection is inserted
    // with its own id (ON CONFLICT DO NOTHING, so of two racing creators one wins), an existing one is
    // updated under its id. A creator that lost the race seals again for the winner's id.
    putConnection: (input) =>
      db.transaction(async (q) => {
        const fields = (id: string) => [
          input.workspace,
          input.name,
          id,
          input.connector,
          JSON.stringify(input.config),
          JSON.stringify(input.secretNames),
          input.seal(id),
        ];
        for (let tries = 0; tries < 5; tries++) {
          const [existing] = await q<ConnectionRow>(`${GET} FOR UPDATE`, [input.workspace, input.name]);
          const [row] = existing
            ? await q<ConnectionRow>(UPDATE, fields(existing.id))
            : await q<ConnectionRow>(INSERT, fields(input.id));
          if (!row) continue;
          // New secrets invalidate a token obtained with the old ones.
          await q('DELETE FROM connection_tokens WHERE connection_id = $1', [row.id]);
          return toConnection(row);
        }
        throw new Error(`connection ${input.name} kept changing while it was being saved; try again`);
      }),
    async getConnection(workspace, name) {
      const [row] = await db.read<ConnectionRow>(GET, [workspace, name]);
      return row ? toConnection(row) : null;
    },
    listConnections: async (workspace) =>
      (
        await db.read<ConnectionRow>('SELECT * FROM connections WHERE workspace = $1 ORDER BY name', [
          workspace,
        ])
      ).map(toConnection),
    // The token goes with it (ON DELETE CASCADE).
    deleteConnection: async (workspace, name) =>
      (
        await db.query('DELETE FROM connections WHERE workspace = $1 AND name = $2 RETURNING 1', [
          workspace,
          name,
        ])
      ).length === 1,
    listSealed: async () =>
      (
        await db.read<{
          kind: SealedValue['kind'];
          workspace: string;
          connection_id: string;
          sealed: string;
        }>(SEALED)
      ).map((r): SealedValue => ({
        kind: r.kind,
        workspace: r.workspace,
        connectionId: r.connection_id,
        sealed: r.sealed,
      })),
    async reseal(changes) {
      if (changes.length === 0) return 0;
      const rows = changes.map(({ value, next }) => ({
        kind: value.kind,
        connection_id: value.connectionId,
        sealed: value.sealed,
        next,
      }));
      const [row] = await db.query<{ changed: number }>(RESEAL, [JSON.stringify(rows)]);
      return row?.changed ?? 0;
    },
    async getToken(connectionId) {
      const [row] = await db.read<TokenRow>('SELECT * FROM connection_tokens WHERE connection_id = $1', [
        connectionId,
      ]);
      return row ? toToken(row) : null;
    },
    async beginTokenRefresh(input) {
      await db.query(ENSURE_TOKEN, [input.connectionId, input.workspace]);
      const rows = await db.query(LEASE, [input.connectionId, input.version, input.owner, input.leaseMs]);
      return rows.length === 1;
    },
    saveToken: async (input) =>
      (await db.query(SAVE, [input.connectionId, input.owner, input.sealed, input.expiresAt])).length === 1,
    abandonTokenRefresh: async (connectionId, owner) => void (await db.query(ABANDON, [connectionId, owner])),
  };
}
