import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { repoRoot } from '../helpers/serve-process.js';
import { mcpClient, type Envelope } from './reliability-helpers.js';

const more = path.join(repoRoot, 'test', 'fixtures', 'recipes-more');

describe('tool calls over real HTTP with real MCP clients', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({
      recipes: more,
      env: {
        SWITCHYARD_LIMITS_WAIT: '400ms',
        SWITCHYARD_LIMITS_MAX_ATTEMPTS: '3',
        SWITCHYARD_LIMITS_BACKOFF_INITIAL: '20ms',
      },
    });
  });
  afterAll(async () => t.stop());

  it('lists exposed tools with annotations and the result envelope as outputSchema (2026-07-28 client)', async () => {
    const client = await mcpClient(t.mcpUrl);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    expect(names).toEqual(['always_unavailable', 'echo', 'echo_sleep_echo', 'greet', 'reserve_room']);
    const echo = tools.find((tool) => tool.name === 'echo')!;
    expect(echo.annotations).toMatchObject({ readOnlyHint: true });
    expect(echo.outputSchema).toMatchObject({
      type: 'object',
      properties: { success: { type: 'boolean' }, data: { properties: { message: { type: 'string' } } } },
    });
    expect(echo._meta?.['dev.switchyard/guarantees']).toBeDefined();
    await client.close();
  });

  it('calls a tool: structuredContent envelope plus one text block with the same JSON', async () => {
    const client = await mcpClient(t.mcpUrl);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    const envelope = result.structuredContent as Envelope;
    expect(envelope).toMatchObject({ success: true, data: { message: 'hi' } });
    expect(envelope.call_id).toMatch(/^call_/);
    expect(result.isError).toBeFalsy();
    const content = result.content as { type: string; text: string }[];
    expect(content).toHaveLength(1);
    expect(JSON.parse(content[0]!.text)).toEqual(envelope);
    await client.close();
  });

  it('runs sub-recipes inline (call steps), hiding internal recipes from tools/list', async () => {
    const client = await mcpClient(t.mcpUrl);
    const result = await client.callTool({ name: 'greet', arguments: { name: 'Ada' } });
    expect((result.structuredContent as Envelope).data).toEqual({ greeting: 'Hello, Ada!' });
    await expect(client.callTool({ name: 'make_greeting', arguments: { who: 'x' } })).rejects.toThrow();
    await client.close();
  });

  it('invalid arguments are an INVALID_ARGUMENTS tool result naming the field, and nothing is enqueued', async () => {
    const client = await mcpClient(t.mcpUrl);
    const before = await t.platform.store.listCalls({ limit: 1000 });
    const result = await client.callTool({ name: 'reserve_room', arguments: { room_number: 'abc' } });
    expect(result.isError).toBe(true);
    const envelope = result.structuredContent as Envelope;
    expect(envelope).toMatchObject({
      success: false,
      error_code: 'INVALID_ARGUMENTS',
      retry_safe: false,
      call_id: null,
    });
    expect(envelope.error_message).toContain('room_number');
    const missing = await client.callTool({ name: 'echo', arguments: {} });
    expect((missing.structuredContent as Envelope).error_message).toContain('"message" is required');
    expect(await t.platform.store.listCalls({ limit: 1000 })).toHaveLength(before.length);
    await client.close();
  });

  it('a recipe `fail` is a business error with its own code and retry_safe', async () => {
    const client = await mcpClient(t.mcpUrl);
    const result = await client.callTool({ name: 'reserve_room', arguments: { room_number: '101' } });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      success: false,
      error_code: 'ROOM_NOT_VACANT',
      error_message: 'Room 101 is occupied',
      retry_safe: false,
    });
    await client.close();
  });

  it('an unknown tool is a JSON-RPC error (-32602), not a tool result', async () => {
    const client = await mcpClient(t.mcpUrl);
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({
      code: -32602,
    });
    await client.close();
  });

  it('retry-safe failures are retried with backoff, then fail with the error contract', async () => {
    const client = await mcpClient(t.mcpUrl);
    const result = await client.callTool({ name: 'always_unavailable', arguments: {} });
    const envelope = result.structuredContent as Envelope;
    if (envelope.error_code === 'CALL_IN_PROGRESS') {
      // the backoff outlived the wait; the settled call is in the store either way
    }
    const call = await waitSettled(t, envelope.call_id!);
    expect(call.status).toBe('failed');
    expect(call.errorAttempts).toBe(3);
    expect(call.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retrySafe: true });
    const attempts = await t.platform.store.listAttempts(call.id);
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed']);
    await client.close();
  });

  it('idempotency: the same key twice runs once; the same key with other arguments is IDEMPOTENCY_KEY_REUSED', async () => {
    const client = await mcpClient(t.mcpUrl, { 'Idempotency-Key': 'key-123' });
    const first = (await client.callTool({ name: 'echo', arguments: { message: 'once' } }))
      .structuredContent as Envelope;
    const second = (await client.callTool({ name: 'echo', arguments: { message: 'once' } }))
      .structuredContent as Envelope;
    expect(second).toEqual(first);
    const journal = await t.platform.store.listJournal(first.call_id!);
    const echoed = journal.filter((e) => e.stepPath === 'echoed');
    expect(echoed).toHaveLength(1);
    // The audit trail keeps what the step sent and got back, with its worker and timing.
    expect(echoed[0]).toMatchObject({
      request: { message: 'once' },
      response: { message: 'once' },
      status: 'succeeded',
    });
    expect(echoed[0]!.finishedAt).toBeGreaterThanOrEqual(echoed[0]!.startedAt);
    const reused = await client.callTool({ name: 'echo', arguments: { message: 'other' } });
    expect(reused.isError).toBe(true);
    expect(reused.structuredContent).toMatchObject({
      success: false,
      error_code: 'IDEMPOTENCY_KEY_REUSED',
      retry_safe: false,
      call_id: first.call_id,
    });
    await client.close();
  });

  it('idempotency through _meta and through content hashing (no key invented by the model)', async () => {
    const client = await mcpClient(t.mcpUrl);
    const meta = { 'dev.switchyard/idempotency-key': 'meta-key-1' };
    const a = (await client.callTool({ name: 'echo', arguments: { message: 'm' }, _meta: meta }))
      .structuredContent as Envelope;
    const b = (await client.callTool({ name: 'echo', arguments: { message: 'm' }, _meta: meta }))
      .structuredContent as Envelope;
    expect(b.call_id).toBe(a.call_id);
    const r1 = (await client.callTool({ name: 'reserve_room', arguments: { room_number: '202' } }))
      .structuredContent as Envelope;
    const r2 = (await client.callTool({ name: 'reserve_room', arguments: { room_number: '202' } }))
      .structuredContent as Envelope;
    expect(r2.call_id).toBe(r1.call_id);
    expect(r2.data).toEqual({ room_number: '202', reserved_by_call: r1.call_id });
    await client.close();
  });

  it('a call that outlives the wait answers CALL_IN_PROGRESS; retrying with the key attaches to the same call', async () => {
    const client = await mcpClient(t.mcpUrl, { 'Idempotency-Key': 'slow-1' });
    const first = await client.callTool({
      name: 'echo_sleep_echo',
      arguments: { message: 'slow', sleep_ms: 1200 },
    });
    const pending = first.structuredContent as Envelope;
    expect(first.isError).toBe(true);
    expect(pending).toMatchObject({ success: false, error_code: 'CALL_IN_PROGRESS', retry_safe: true });
    expect(pending.call_id).toMatch(/^call_/);
    let settled: Envelope = pending;
    for (let i = 0; i < 50 && settled.error_code === 'CALL_IN_PROGRESS'; i++) {
      settled = (
        await client.callTool({ name: 'echo_sleep_echo', arguments: { message: 'slow', sleep_ms: 1200 } })
      ).structuredContent as Envelope;
    }
    expect(settled).toMatchObject({ success: true, call_id: pending.call_id });
    expect(
      (await t.platform.store.listCalls({ tool: 'echo_sleep_echo', limit: 100 })).filter(
        (c) => c.idempotencyKey === 'slow-1',
      ),
    ).toHaveLength(1);
    await client.close();
  });

  it('serves a 2025-11-25 client statelessly: initialize answered, no session id, tools work', async () => {
    const sessionIds: (string | null)[] = [];
    const client = new V1Client({ name: 'v1', version: '1.0.0' });
    const transport = new V1Transport(new URL(t.mcpUrl), {
      fetch: async (input: string | URL, init?: RequestInit) => {
        const res = await fetch(input, init);
        sessionIds.push(res.headers.get('mcp-session-id'));
        return res;
      },
    });
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBeTruthy();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('echo');
    const result = await client.callTool({ name: 'echo', arguments: { message: 'legacy' } });
    expect(result.structuredContent).toMatchObject({ success: true, data: { message: 'legacy' } });
    expect(sessionIds.every((id) => id === null)).toBe(true);
    await client.close();
  });
});

async function waitSettled(t: TestPlatform, id: string) {
  for (let i = 0; i < 200; i++) {
    const call = await t.platform.store.getCall(id);
    if (call && ['succeeded', 'failed', 'dead', 'cancelled', 'outcome_unknown'].includes(call.status))
      return call;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`call ${id} did not settle`);
}
