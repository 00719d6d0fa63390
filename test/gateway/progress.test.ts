import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolEnvelope } from '../../src/gateway/results.js';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { eventually } from '../helpers/serve-process.js';
import { envelope, MODERN } from './helpers.js';
import { mcpFixtures, modernClient } from './mcp-helpers.js';

// A tools/call with _meta.progressToken is answered on an SSE stream: notifications/progress as the
// recipe's steps finish (read from the store's journal), then the result. Closing the stream cancels.
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ recipes: mcpFixtures });
});
afterAll(async () => t.stop());

describe('progress notifications from the journal', () => {
  it('the official v2 client gets one notification per finished step, in order, before the result', async () => {
    const client = await modernClient(t.mcpUrl);
    const seen: { progress: number; total?: number; message?: string }[] = [];
    const result = await client.callTool(
      { name: 'nap', arguments: { ms: 150, label: 'steps' } },
      { onprogress: (progress) => seen.push(progress) },
    );
    expect((result.structuredContent as ToolEnvelope).success).toBe(true);
    expect(seen.map((p) => [p.progress, p.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(seen.map((p) => p.message)).toEqual([
      'step before succeeded',
      'step sleep succeeded',
      'step after succeeded',
    ]);
    await client.close();
  });

  it('the 2025-11-25 client (v1 SDK) gets them too', async () => {
    const client = new V1Client({ name: 'v1-progress', version: '1.0.0' });
    await client.connect(new V1Transport(new URL(t.mcpUrl)));
    const seen: number[] = [];
    await client.callTool({ name: 'nap', arguments: { ms: 50 } }, undefined, {
      onprogress: (p) => seen.push(p.progress),
    });
    expect(seen).toEqual([1, 2, 3]);
    await client.close();
  });

  it('without a progressToken the answer stays plain JSON', async () => {
    const res = await fetch(t.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'tools/call',
        'mcp-name': 'nap',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'nap', arguments: { ms: 10 }, _meta: envelope() },
      }),
    });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect((await res.json()).result.structuredContent.success).toBe(true);
  });

  it('closing the stream cancels the call (cooperatively, through the store)', async () => {
    const gone = new AbortController();
    const res = await fetch(t.mcpUrl, {
      method: 'POST',
      signal: gone.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': 'tools/call',
        'mcp-name': 'slow_steps',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: {
          name: 'slow_steps',
          arguments: { ms: 600_000 },
          _meta: { ...envelope(), progressToken: 'p-7' },
        },
      }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"method":"notifications/progress"');
    expect(first).toContain('"progressToken":"p-7"');
    gone.abort();
    const call = await eventually(async () => {
      const [latest] = await t.platform.store.listCalls({ tool: 'slow_steps', limit: 1 });
      return latest?.status === 'cancelled' ? latest : null;
    }, 10_000);
    expect(call.error).toMatchObject({ code: 'CANCELLED', message: 'the client closed the progress stream' });
    await eventually(async () => (t.platform.worker?.running ?? 0) === 0, 15_000);
  });
});
