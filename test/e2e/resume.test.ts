import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { repoRoot } from '../helpers/serve-process.js';

// A downstream that answers 503 to the first `failures` GETs, then a rate.
describe('a call that failed retry-safely is resumed from its failed step by a retry with the same key', () => {
  let t: TestPlatform;
  let server: http.Server;
  let requests = 0;
  const failures = 4;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests++;
      if (requests <= failures) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"rate":1.1}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-resume-'));
    const config = path.join(dir, 'switchyard.yaml');
    writeFileSync(
      config,
      `connections:\n  local:\n    connector: http\n    base_url: http://127.0.0.1:${port}\n    allow_hosts: ['127.0.0.1']\n    retries: 0\n`,
    );
    t = await startTestPlatform({
      recipes: path.join(repoRoot, 'test', 'fixtures', 'recipes-resume'),
      config,
      env: { SWITCHYARD_LIMITS_MAX_ATTEMPTS: '2', SWITCHYARD_LIMITS_BACKOFF_INITIAL: '10ms' },
    });
  });
  afterAll(async () => {
    await t.stop();
    server.close();
  });

  it('fails after its attempts, then the keyed retry resumes it: `first` ran once, the GET went on', async () => {
    const client = new Client(
      { name: 'resume', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(
      new StreamableHTTPClientTransport(new URL(t.mcpUrl), {
        requestInit: { headers: { 'Idempotency-Key': 'rate-eur-1' } },
      }),
    );

    const failed = await client.callTool({ name: 'fetch_rate', arguments: { currency: 'EUR' } });
    expect(failed.isError).toBe(true);
    const first = failed.structuredContent as { call_id: string; error_code: string; retry_safe: boolean };
    expect(first).toMatchObject({ error_code: 'UPSTREAM_UNAVAILABLE', retry_safe: true });
    // 2 call attempts x 2 step tries, each one GET.
    expect(requests).toBe(failures);

    const resumed = await client.callTool({ name: 'fetch_rate', arguments: { currency: 'EUR' } });
    expect(resumed.isError).toBeFalsy();
    expect(resumed.structuredContent).toEqual({
      success: true,
      data: { currency: 'EUR', rate: 1.1 },
      call_id: first.call_id,
    });
    expect(requests).toBe(failures + 1);

    const journal = await t.platform.store.listJournal(first.call_id);
    expect(journal.filter((e) => e.stepPath === 'first').map((e) => [e.attempt, e.status])).toEqual([
      [1, 'succeeded'],
    ]);
    expect(journal.filter((e) => e.stepPath === 'rate').map((e) => [e.attempt, e.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);
    const attempts = await t.platform.store.listAttempts(first.call_id);
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'failed', 'succeeded']);
    await client.close();
  });
});
