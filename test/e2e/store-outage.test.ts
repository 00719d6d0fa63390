import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { FaultProxy } from '../chaos/harness/fault-proxy.js';
import { mcpFixtures, tasksSession } from '../gateway/mcp-helpers.js';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { usePostgres } from '../helpers/postgres.js';
import { mcpClient, type Envelope } from './reliability-helpers.js';

// The store goes half-open under a tools/call (gateway and worker in this process, on PostgreSQL through
// the chaos fault proxy, real HTTP, official MCP clients). DESIGN.md: everything about a known tool's
// execution is a tool result — so a store outage is INTERNAL, retry-safe, with the call id when the call
// was recorded; never a JSON-RPC -32603.
const postgres = usePostgres();
const ENQUEUE = 'INSERT INTO idempotency_keys';

describe('a store outage during tools/call answers a tool result', () => {
  let t: TestPlatform | null = null;
  let proxy: FaultProxy | null = null;
  afterEach(async () => {
    await t?.stop();
    await proxy?.close();
    t = null;
    proxy = null;
  });

  async function start(): Promise<{ direct: string; t: TestPlatform; proxy: FaultProxy }> {
    const direct = await postgres().createDatabase();
    const target = new URL(direct);
    proxy = new FaultProxy({ host: target.hostname, port: Number(target.port) });
    const viaProxy = new URL(direct);
    viaProxy.port = String(await proxy.listen());
    t = await startTestPlatform({
      recipes: mcpFixtures,
      env: {
        SWITCHYARD_DATABASE_URL: viaProxy.toString(),
        SWITCHYARD_POSTGRES_QUERY_TIMEOUT: '500ms',
        SWITCHYARD_LIMITS_LEASE: '1s',
        SWITCHYARD_LIMITS_WAIT: '300ms',
      },
    });
    return { direct, t, proxy };
  }

  /** The calls of one idempotency key, read straight from the server (not through the proxy). */
  async function callsOfKey(url: string, key: string): Promise<{ id: string; status: string }[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; status: string }>(
        'SELECT id, status FROM calls WHERE idempotency_key = $1',
        [key],
      );
      return rows;
    } finally {
      await client.end();
    }
  }

  it('the enqueue commits but its answer is lost: no call id, retry-safe; the retry with the key finds the one call', async () => {
    const { direct, t, proxy } = await start();
    const key = 'outage-enqueue-1';
    const client = await mcpClient(t.mcpUrl, { 'idempotency-key': key });
    proxy.blackholeAtAnswer(ENQUEUE, { deliver: false });
    const lost = await client.callTool({ name: 'nap', arguments: { ms: 0, label: 'a' } });
    expect(lost.isError).toBe(true);
    expect(lost.structuredContent).toMatchObject({
      success: false,
      error_code: 'INTERNAL',
      retry_safe: true,
      call_id: null,
      retry_after_ms: 1000,
    });
    const envelope = lost.structuredContent as Envelope;
    expect(envelope.error_message).toMatch(
      /may or may not have been recorded; retry with the same idempotency key/,
    );
    expect(envelope.error_message).not.toMatch(/postgres|\bat\b.*\.js/i); // no URL, no stack
    // It was recorded: the statement ran, only its answer was lost.
    const [recorded] = await callsOfKey(direct, key);
    expect(recorded).toBeDefined();

    proxy.heal();
    proxy.resetAll(); // what a failover does to the connections left half-open
    // The retry attaches to the recorded call. (Handed to this process's worker in the same statement, the
    // call waits for that lease to expire: the hand-off was cancelled when the enqueue failed.)
    let retried = await client.callTool({ name: 'nap', arguments: { ms: 0, label: 'a' } });
    for (let tries = 1; (retried.structuredContent as Envelope).error_code === 'CALL_IN_PROGRESS'; tries++) {
      expect(tries).toBeLessThan(100);
      expect((retried.structuredContent as Envelope).call_id).toBe(recorded!.id);
      retried = await client.callTool({ name: 'nap', arguments: { ms: 0, label: 'a' } });
    }
    expect(retried.structuredContent).toMatchObject({ success: true, call_id: recorded!.id });
    expect(await callsOfKey(direct, key)).toEqual([{ id: recorded!.id, status: 'succeeded' }]);
    await client.close();
  });

  it('the store goes silent after the call was recorded: the call id, retry-safe', async () => {
    const { direct, t, proxy } = await start();
    const key = 'outage-recorded-1';
    // A task-only tool answers at once after the commit, reading the task from the store: that read fails.
    const { client, session } = await tasksSession(t.mcpUrl);
    proxy.blackholeAtAnswer(ENQUEUE, { deliver: true });
    const execution = await session.callTool(
      'nap_task_only',
      { ms: 0 },
      { metadata: { 'dev.switchyard/idempotency-key': key } },
    );
    const { outcome } = await execution.settle();
    const result = (outcome as unknown as { result: { structuredContent: Envelope; isError?: boolean } })
      .result;
    const [recorded] = await callsOfKey(direct, key);
    expect(recorded).toBeDefined();
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      success: false,
      error_code: 'INTERNAL',
      retry_safe: true,
      call_id: recorded!.id,
    });
    expect(result.structuredContent.error_message).toMatch(
      /the call was recorded; retry with the same idempotency key to get its result/,
    );
    proxy.heal();
    proxy.resetAll();
    await session.close();
    await client.close();
  });
});
