import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { repoRoot } from '../helpers/serve-process.js';
import { createWorkerHarness } from '../helpers/worker-harness.js';
import {
  mcpClient,
  startEffectServer,
  waitTerminal,
  writeLocalConnectionConfig,
  type Envelope,
} from './reliability-helpers.js';

const deadlineRecipes = path.join(repoRoot, 'test', 'fixtures', 'recipes-deadline');

// `deadline` on a recipe bounds the call from enqueue to settlement, whatever its steps do. The steps
// that outlast it sleep for 10 minutes or wait on a downstream that never answers, so only the deadline
// can end those calls.
describe('call deadlines', () => {
  let t: TestPlatform | null = null;
  let h: Awaited<ReturnType<typeof createWorkerHarness>> | null = null;
  let downstream: Awaited<ReturnType<typeof startEffectServer>> | null = null;
  let configDir: string | null = null;
  afterEach(async () => {
    await t?.stop();
    await h?.close();
    await downstream?.close();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    t = null;
    h = null;
    downstream = null;
    configDir = null;
  });

  /** In-process gateway + worker whose `local` connection points at a downstream that holds requests. */
  async function platformWithDownstream() {
    downstream = await startEffectServer();
    configDir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-'));
    const config = writeLocalConnectionConfig(configDir, downstream.port);
    t = await startTestPlatform({ recipes: deadlineRecipes, config });
    return { t, downstream };
  }

  it('a step sleeping past `deadline: 1s` is interrupted: CALL_DEADLINE_EXCEEDED, and the later steps never run', async () => {
    t = await startTestPlatform({ recipes: deadlineRecipes });
    const client = await mcpClient(t.mcpUrl);
    // The sleep would take 10 minutes; only the deadline can end this call within the gateway's wait.
    const result = await client.callTool({ name: 'deadline_sleep', arguments: { sleep_ms: 600_000 } });
    await client.close();
    expect(result.isError).toBe(true);
    const envelope = result.structuredContent as Envelope;
    expect(envelope).toMatchObject({ success: false, error_code: 'CALL_DEADLINE_EXCEEDED' });

    const call = await waitTerminal(t.platform.store, envelope.call_id!);
    expect(call.status).toBe('failed');
    expect(call.error).toMatchObject({ code: 'CALL_DEADLINE_EXCEEDED' });
    expect(call.error?.message).toBe('the call ran past its deadline');
    // `nap` (if it began before the deadline) never finished, and `after` never ran.
    const journal = await t.platform.store.listJournal(call.id);
    expect(journal.filter((e) => e.stepPath === 'nap').map((e) => e.status)).not.toContain('succeeded');
    expect(journal.some((e) => e.stepPath === 'after')).toBe(false);
    expect((await t.platform.store.listAttempts(call.id)).map((a) => a.outcome)).toEqual(['failed']);
  });

  it('a call whose deadline passed while it was queued is settled CALL_DEADLINE_EXCEEDED without running any step', async () => {
    h = await createWorkerHarness(deadlineRecipes);
    // Enqueued with no worker running; the deadline is already behind it when a worker arrives.
    const queued = await h.enqueue('deadline_sleep', { sleep_ms: 10 }, { deadlineAt: Date.now() - 1 });
    await h.startWorker('late');
    const call = await waitTerminal(h.store, queued.id);
    expect(call.status).toBe('failed');
    expect(call.error).toMatchObject({ code: 'CALL_DEADLINE_EXCEEDED' });
    expect(await h.store.listJournal(call.id)).toEqual([]);
  });

  it('a deadline that cuts an unsafe POST short is not retry-safe (it may have been applied), and a retry with the key does not re-send it', async () => {
    const { t, downstream } = await platformWithDownstream();
    const client = await mcpClient(t.mcpUrl, { 'Idempotency-Key': 'deadline-post-1' });
    const result = await client.callTool({ name: 'deadline_post', arguments: { order: 'D-1' } });
    expect(result.isError).toBe(true);
    const envelope = result.structuredContent as Envelope;
    expect(envelope).toMatchObject({
      success: false,
      error_code: 'CALL_DEADLINE_EXCEEDED',
      retry_safe: false,
    });
    expect(envelope.error_message).toContain('may have been applied');
    expect(downstream.requests).toHaveLength(1);

    // The client retries with its key: it gets the same settled call back; the POST is not sent again.
    downstream.hold = () => false;
    const again = await client.callTool({ name: 'deadline_post', arguments: { order: 'D-1' } });
    await client.close();
    expect(again.structuredContent).toEqual(envelope);
    expect(downstream.requests).toHaveLength(1);
    const call = await t.platform.store.getCall(envelope.call_id!);
    expect(call?.status).toBe('failed');
    expect((await t.platform.store.listAttempts(call!.id)).map((a) => a.outcome)).toEqual(['failed']);
  });

  it('a deadline that cuts a keyed POST short stays retry-safe: the retry with the key resumes it and re-sends with the same Idempotency-Key', async () => {
    const { t, downstream } = await platformWithDownstream();
    const client = await mcpClient(t.mcpUrl, { 'Idempotency-Key': 'deadline-post-2' });
    const first = await client.callTool({ name: 'deadline_post_keyed', arguments: { order: 'D-2' } });
    const envelope = first.structuredContent as Envelope;
    expect(envelope).toMatchObject({
      success: false,
      error_code: 'CALL_DEADLINE_EXCEEDED',
      retry_safe: true,
    });

    // The retry resumes the same call under a new deadline; the downstream holds it again, so it ends
    // the same way, having sent the POST a second time with the same key (which a real downstream dedupes).
    const again = await client.callTool({ name: 'deadline_post_keyed', arguments: { order: 'D-2' } });
    await client.close();
    expect(again.structuredContent).toMatchObject({
      error_code: 'CALL_DEADLINE_EXCEEDED',
      retry_safe: true,
      call_id: envelope.call_id,
    });
    const keys = downstream.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([`${envelope.call_id}:sent`, `${envelope.call_id}:sent`]);
    const attempts = await t.platform.store.listAttempts(envelope.call_id!);
    expect(attempts.map((a) => a.outcome)).toEqual(['failed', 'failed']);
  });
});
