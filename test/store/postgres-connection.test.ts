import { describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { FaultProxy } from '../chaos/harness/fault-proxy.js';
import { externalPostgres, usePostgres } from '../helpers/postgres.js';
import { callInput, claimOne, deploy, enqueueNew, LEASE_MS } from './contract/fixtures.js';
import {
  blackholeProxy,
  countSignals,
  listeners,
  listenerUp,
  makePostgresHarness,
  rawClient,
  sleep,
  until,
} from './postgres-harness.js';

// LISTEN/NOTIFY, the fallback poll, and a connection or a server that goes away. One PostgreSQL for this
// file (stopped and started by the restart test), a database per test.
const server = usePostgres();

describe('PostgreSQL change signal: LISTEN/NOTIFY and the fallback poll', () => {
  it("hears another machine's commit by NOTIFY, and its own without an echo", async () => {
    const h = await makePostgresHarness(server, { fallbackPollMs: 60_000 });
    try {
      await h.store.migrate();
      const peer = await h.openPeer();
      const release = await deploy(h.store);
      const signals = countSignals(h.store);
      await listenerUp(server().url(), h.url);
      signals.reset();
      // Nothing else signals here: the fallback poll is a minute away and this store writes nothing.
      await enqueueNew(peer, release);
      await until(() => signals.count() > 0, 3_000);
      await sleep(50);
      signals.reset();
      // This store's claim: no signal of its own (as on SQLite), and its NOTIFY is recognised as its own.
      await claimOne(h.store);
      await sleep(200);
      expect(signals.count()).toBe(0);
      signals.stop();
    } finally {
      await h.cleanup();
    }
  });

  it('wakes listeners by the fallback poll when a notification is lost', async () => {
    for (const [fallbackPollMs, expected] of [
      [100, true],
      [60_000, false],
    ] as const) {
      const h = await makePostgresHarness(server, { fallbackPollMs });
      try {
        await h.store.migrate();
        const release = await deploy(h.store);
        const id = await enqueueNew(h.store, release);
        const signals = countSignals(h.store);
        await listenerUp(server().url(), h.url);
        // A commit that notifies nobody (triggers off for this session), as if its NOTIFY were lost.
        const raw = await rawClient(h.url);
        await raw.query(`SET session_replication_role = replica`);
        signals.reset();
        await raw.query(`UPDATE calls SET status = 'cancelled' WHERE id = $1`, [id]);
        await raw.end();
        await sleep(350);
        expect(signals.count() > 0).toBe(expected);
        signals.stop();
      } finally {
        await h.cleanup();
      }
    }
  });
  it('replaces a listening connection that went half-open, found by its unanswered probe', async () => {
    const h = await makePostgresHarness(server);
    const proxy = await blackholeProxy(h.url);
    const store = createPostgresStore({ url: proxy.url, fallbackPollMs: 100 });
    try {
      await h.store.migrate();
      const release = await deploy(h.store);
      const signals = countSignals(store);
      await listenerUp(server().url(), h.url);
      const [before] = await listeners(server().url(), h.url);
      expect(before).toBeDefined();
      proxy.blackhole();
      // Nothing arrives any more, yet listeners keep being woken by the fallback poll …
      signals.reset();
      await enqueueNew(h.store, release);
      await until(() => signals.count() > 0, 1_000);
      // … and the probe that got no answer replaced the connection (the server still holds the old one).
      await until(async () => (await listeners(server().url(), h.url)).some((pid) => pid !== before), 5_000);
      signals.stop();
    } finally {
      await store.close();
      await proxy.close();
      await h.cleanup();
    }
  });
});

describe('a PostgreSQL restart under running stores', () => {
  it.skipIf(externalPostgres)(
    'fails clearly while the server is down, then claims, settles and hears NOTIFY again',
    async () => {
      const h = await makePostgresHarness(server, { fallbackPollMs: 60_000 });
      try {
        await h.store.migrate();
        const peer = await h.openPeer();
        const release = await deploy(h.store);
        const before = await enqueueNew(h.store, release);
        const signals = countSignals(h.store);
        await listenerUp(server().url(), h.url);

        await server().stop();
        await expect(h.store.enqueue(callInput(release))).rejects.toThrow(
          /PostgreSQL store unavailable \(postgres:\/\/postgres:\*\*\*@/,
        );
        await expect(h.store.getCall(before)).rejects.toMatchObject({ name: 'StoreUnavailableError' });
        await expect(h.store.claim({ workerId: 'w', limit: 1, leaseMs: LEASE_MS })).rejects.toThrow(
          /unavailable/,
        );
        await server().start();

        // The pool connects again on the next use; nothing committed before the restart was lost.
        const after = await enqueueNew(h.store, release);
        const claimed = await h.store.claim({ workerId: 'w', limit: 5, leaseMs: LEASE_MS });
        expect(claimed.map((c) => c.call.id)).toEqual([before, after]);
        for (const { call, token } of claimed)
          expect(await h.store.settle(call.id, token, { status: 'succeeded', data: null })).toBe(true);
        expect(await peer.countByStatus()).toEqual({ succeeded: 2 });

        // The listener reconnected and LISTENs again: another machine's commit is heard.
        await listenerUp(server().url(), h.url);
        signals.reset();
        await enqueueNew(peer, release);
        await until(() => signals.count() > 0, 3_000);
        signals.stop();
      } finally {
        await h.cleanup();
      }
    },
  );
});

describe('a half-open pool connection: the query timeout', () => {
  it('fails a statement on a blackholed connection as unavailable within the timeout, drops the connection, and recovers', async () => {
    const QUERY_TIMEOUT_MS = 300;
    const CONNECT_TIMEOUT_MS = 1_000;
    const h = await makePostgresHarness(server);
    const target = new URL(h.url);
    const proxy = new FaultProxy({ host: target.hostname, port: Number(target.port) });
    const viaProxy = new URL(h.url);
    viaProxy.port = String(await proxy.listen());
    // One connection: a timed-out connection left checked out would block every later statement.
    const store = createPostgresStore({
      url: viaProxy.toString(),
      poolSize: 1,
      queryTimeoutMs: QUERY_TIMEOUT_MS,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    });
    try {
      await h.store.migrate();
      const release = await deploy(h.store);
      const before = await enqueueNew(store, release); // the pool's one connection is open and idle
      proxy.blackhole(); // it stays open, and nothing comes back any more

      // A write on the silent connection: not retried (it may have been applied), reported as unavailable.
      let started = Date.now();
      const write = await store.enqueue(callInput(release)).then(
        () => null,
        (error: unknown) => error as Error & { cause?: Error },
      );
      const writeMs = Date.now() - started;
      expect(write).toMatchObject({ name: 'StoreUnavailableError' });
      expect(write?.cause).toMatchObject({ name: 'QueryTimeoutError' });
      expect(write?.message).toMatch(/no answer within 300 ms .*may or may not have been applied/);
      // Liveness, not performance: without the timeout this never returns.
      expect(writeMs).toBeLessThan(20 * QUERY_TIMEOUT_MS);

      // A read: retried once, on a new connection the blackhole never answers either.
      started = Date.now();
      await expect(store.getCall(before)).rejects.toMatchObject({ name: 'StoreUnavailableError' });
      expect(Date.now() - started).toBeLessThan(10 * (QUERY_TIMEOUT_MS + CONNECT_TIMEOUT_MS));

      // Healed: the dead connection was destroyed, not returned to the pool of one, so the store goes on.
      proxy.heal();
      expect((await store.getCall(before))?.id).toBe(before);
      const after = await enqueueNew(store, release);
      expect(await h.store.getCall(after)).toMatchObject({ id: after, status: 'queued' });
    } finally {
      await store.close();
      await proxy.close();
      await h.cleanup();
    }
  });
});

describe('prepared statements across a schema change', () => {
  it('a statement prepared before another process migrated runs again unprepared, nothing lost', async () => {
    const h = await makePostgresHarness(server);
    try {
      await h.store.migrate();
      const release = await deploy(h.store);
      const first = await enqueueNew(h.store, release);
      // Prepared on this pool's connection: `SELECT *` with the columns of today's schema.
      expect((await h.store.getCall(first))?.id).toBe(first);
      // A newer build adds a column while this process runs (as a rolling upgrade would).
      const raw = await rawClient(h.url);
      await raw.query('ALTER TABLE calls ADD COLUMN added_by_a_newer_build INTEGER');
      await raw.end();
      const second = await enqueueNew(h.store, release, { args: { n: 2 } });
      expect((await h.store.getCall(first))?.id).toBe(first);
      expect((await h.store.getCall(second))?.status).toBe('queued');
    } finally {
      await h.cleanup();
    }
  });
});
