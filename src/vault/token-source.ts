import { sleep } from '../core/clock.js';
import type { AccessToken, Connector, ConnectionSecrets } from '../connectors/connector.js';
import type { ConnectionRecord, Store } from '../store/store.js';
import type { Keyring } from './keyring.js';
import { seal, unseal } from './seal.js';

/** A token this close to its expiry is refreshed rather than used. */
const EXPIRY_SKEW_MS = 30_000;
const REFRESH_LEASE_MS = 15_000;
const WAIT_POLL_MS = 25;

/**
 * The access token of one OAuth2 connection, shared by every worker through the store: a valid token
 * is reused (and cached in memory until it nears expiry); an expired or rejected one is refreshed by
 * exactly one caller, which holds a short lease on the token row while the others wait for its result.
 * A caller whose refresh fails gives the lease up, so a waiter can try in turn.
 */
export function createTokenSource(deps: {
  store: Store;
  keyring: Keyring;
  record: ConnectionRecord;
  connection: ConnectionSecrets;
  connector: Connector & Required<Pick<Connector, 'refreshToken'>>;
  owner: string;
}): (options?: { rejected?: string; signal?: AbortSignal }) => Promise<AccessToken> {
  const { store, record } = deps;
  const binding = { workspace: record.workspace, connectionId: record.id, purpose: 'token' as const };
  let cached: AccessToken | null = null;
  const usable = (token: AccessToken | null, rejected?: string): token is AccessToken =>
    token !== null && token.token !== rejected && token.expiresAt - EXPIRY_SKEW_MS > Date.now();

  return async ({ rejected, signal } = {}) => {
    if (usable(cached, rejected)) return cached;
    for (;;) {
      signal?.throwIfAborted();
      const row = await store.getToken(record.id);
      const stored = row?.sealed
        ? (JSON.parse(unseal(deps.keyring, row.sealed, binding)) as AccessToken)
        : null;
      if (usable(stored, rejected)) return (cached = stored);
      const leased = await store.beginTokenRefresh({
        connectionId: record.id,
        workspace: record.workspace,
        version: row?.version ?? 0,
        owner: deps.owner,
        leaseMs: REFRESH_LEASE_MS,
      });
      if (!leased) {
        await sleep(WAIT_POLL_MS, signal);
        continue;
      }
      let fresh: AccessToken;
      try {
        fresh = await deps.connector.refreshToken(deps.connection, signal ?? new AbortController().signal);
      } catch (error) {
        await store.abandonTokenRefresh(record.id, deps.owner);
        throw error;
      }
      await store.saveToken({
        connectionId: record.id,
        owner: deps.owner,
        sealed: seal(deps.keyring, JSON.stringify(fresh), binding),
        expiresAt: fresh.expiresAt,
      });
      return (cached = fresh);
    }
  };
}
