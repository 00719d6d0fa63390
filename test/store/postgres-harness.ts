import net from 'node:net';
import pg from 'pg';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import type { PostgresServer } from '../helpers/postgres.js';
import type { StoreHarness } from './store-contract.js';

/** The PostgreSQL harness of the contract suite, and the tools the PostgreSQL-only tests share. */

const TIME_COLUMNS = {
  leaseExpiresAt: 'lease_expires_at',
  runAfter: 'run_after',
  settledAt: 'settled_at',
  createdAt: 'created_at',
} as const;

/** Raw SQL beside the stores, as an operator's psql session would be. */
export async function rawClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export type PostgresStoreOverrides = Partial<Parameters<typeof createPostgresStore>[0]>;

export type PostgresHarness = StoreHarness & { url: string };

/** A fresh database per test; peers are stores with pools of their own, as other machines would have. */
export async function makePostgresHarness(
  server: () => PostgresServer,
  options: PostgresStoreOverrides = {},
): Promise<PostgresHarness> {
  const url = await server().createDatabase();
  const open = () => createPostgresStore({ url, ...options });
  const store = open();
  const peers: Store[] = [];
  let raw: Promise<pg.Client> | undefined;
  const sql = async (statement: string, ...params: unknown[]) => {
    await (await (raw ??= rawClient(url))).query(statement, params);
  };
  return {
    url,
    store,
    async openPeer() {
      const peer = open();
      peers.push(peer);
      return peer;
    },
    backdoor: {
      async setCallTimes(callId, times) {
        for (const [key, value] of Object.entries(times)) {
          const column = TIME_COLUMNS[key as keyof typeof TIME_COLUMNS];
          await sql(`UPDATE calls SET ${column} = $1 WHERE id = $2`, value, callId);
        }
      },
      setKeyExpiry: (workspace, tool, key, expiresAt) =>
        sql(
          'UPDATE idempotency_keys SET expires_at = $1 WHERE workspace = $2 AND tool = $3 AND key = $4',
          expiresAt,
          workspace,
          tool,
          key,
        ),
      setMigrationChecksum: (version, checksum) =>
        sql('UPDATE schema_migrations SET checksum = $1 WHERE version = $2', checksum, version),
      dropColumn: (table, column) => sql(`ALTER TABLE "${table}" DROP COLUMN "${column}"`),
      dropTable: (table) => sql(`DROP TABLE "${table}"`),
      addColumn: (table, column) => sql(`ALTER TABLE "${table}" ADD COLUMN "${column}" TEXT`),
    },
    async cleanup() {
      for (const peer of peers) await peer.close();
      await store.close();
      if (raw) await (await raw).end();
      await server().dropDatabase(url);
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(20);
  }
}

/** Resolves once `url`'s database has a session whose last statement was the store's LISTEN. */
export async function listenerUp(adminUrl: string, url: string): Promise<void> {
  const admin = await rawClient(adminUrl);
  try {
    await until(async () => {
      const { rows } = await admin.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN switchyard_calls' AND state = 'idle'`,
        [new URL(url).pathname.slice(1)],
      );
      return rows.length > 0;
    });
  } finally {
    await admin.end();
  }
  // The signal the store sends right after its LISTEN went through is not the one under test.
  await sleep(100);
}

/**
 * A TCP proxy in front of the server that can blackhole the connections it carries: it stops forwarding
 * in both directions but keeps the sockets open, as a half-open connection does (pg-boss's test of the
 * same name). New connections pass.
 */
export async function blackholeProxy(
  target: string,
): Promise<{ url: string; blackhole(): void; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; dead: boolean }>();
  const proxy = net.createServer((client) => {
    const pair = { client, upstream: net.connect(Number(port), hostname), dead: false };
    pairs.add(pair);
    client.on('data', (chunk) => void (pair.dead || pair.upstream.write(chunk)));
    pair.upstream.on('data', (chunk) => void (pair.dead || client.write(chunk)));
    const end = () => {
      client.destroy();
      pair.upstream.destroy();
      pairs.delete(pair);
    };
    for (const socket of [client, pair.upstream]) socket.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.host = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    blackhole: () => pairs.forEach((pair) => (pair.dead = true)),
    close: async () => {
      pairs.forEach((pair) => pair.client.destroy());
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

/** Backend ids of the stores' listening sessions in `url`'s database (their last statement: LISTEN or a probe). */
export async function listeners(adminUrl: string, url: string): Promise<number[]> {
  const admin = await rawClient(adminUrl);
  try {
    const { rows } = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'switchyard'
         AND query IN ('LISTEN switchyard_calls', 'SELECT 1')`,
      [new URL(url).pathname.slice(1)],
    );
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}

/** Counts change signals. */
export function countSignals(store: Store): { count: () => number; reset: () => void; stop: () => void } {
  let n = 0;
  const stop = store.onChange(() => n++);
  return { count: () => n, reset: () => (n = 0), stop };
}
