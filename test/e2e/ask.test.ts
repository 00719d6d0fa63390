import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import type { ToolEnvelope } from '../../src/gateway/results.js';
import { legacyRequest, MODERN, post } from '../gateway/helpers.js';
import { rawModern, withTasks } from '../gateway/mcp-helpers.js';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { eventually, repoRoot } from '../helpers/serve-process.js';

const recipes = path.join(repoRoot, 'test', 'fixtures', 'recipes-ask');
/** The per-request capabilities of a client that can answer every kind of input request. */
const CAN_ANSWER = { elicitation: {}, sampling: {}, roots: {} };

// `ask` steps over real HTTP: a call that asks waits durably in input_required, and the answer may come
// through any gateway, to whichever worker claims the call next.
describe('ask steps: calls that wait for client input', () => {
  let first: TestPlatform; // gateway only
  let second: Platform; // another gateway on the same store
  let worker: Platform; // the worker, restarted mid-test
  const dataDirConfig = () =>
    loadConfig({ dataDir: first.dataDir, port: 0, workers: 0 }, { SWITCHYARD_LIMITS_HEARTBEAT: '300ms' });

  beforeAll(async () => {
    first = await startTestPlatform({ recipes });
    // The first platform runs a worker too; stop it so that calls run on the separate worker below.
    await first.platform.worker?.drain(0);
    second = createPlatform(dataDirConfig(), { gateway: true, worker: false });
    await second.start();
    worker = createPlatform(dataDirConfig(), { gateway: false, worker: true });
    await worker.start();
  });
  afterAll(async () => {
    await worker.stop();
    await second.stop();
    await first.stop();
  });

  const secondUrl = () => `${second.url}/mcp`;

  it('answers with an InputRequiredResult; another gateway takes the answer after the worker restarted', async () => {
    const round1 = await rawModern(
      first.mcpUrl,
      'tools/call',
      { name: 'ask_name', arguments: {} },
      CAN_ANSWER,
    );
    expect(round1.json.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: {
        who: {
          method: 'elicitation/create',
          params: { message: 'What is your name?', requestedSchema: { required: ['name'] } },
        },
      },
    });
    const { requestState } = round1.json.result;
    expect(requestState).toMatch(/^ask_[0-9a-f]{48}$/);
    const ask = await first.platform.store.getAsk(requestState);
    expect((await first.platform.store.getCall(ask!.callId))?.status).toBe('input_required');

    // The worker that asked goes away; a new one will pick the call up once it is answered.
    await worker.stop();
    worker = createPlatform(dataDirConfig(), { gateway: false, worker: true });
    await worker.start();

    const round2 = await rawModern(
      secondUrl(),
      'tools/call',
      {
        name: 'ask_name',
        arguments: {},
        requestState,
        inputResponses: { who: { action: 'accept', content: { name: 'Ada' } } },
      },
      CAN_ANSWER,
    );
    expect(round2.json.result.resultType).toBe('complete');
    expect(round2.json.result.structuredContent).toEqual({
      success: true,
      data: { greeting: 'Hello, Ada!', action: 'accept' },
      call_id: ask!.callId,
    });
    // The step before the ask ran once: the resumed attempt reused its journaled output.
    const journal = await first.platform.store.listJournal(ask!.callId);
    expect(journal.filter((e) => e.stepPath === 'hello' && e.status === 'succeeded')).toHaveLength(1);
    expect(journal.find((e) => e.kind === 'ask')).toMatchObject({
      status: 'succeeded',
      output: { who: { action: 'accept', content: { name: 'Ada' } } },
    });
    // Repeating the last retry attaches to the settled call; a tampered state is refused.
    const repeat = await rawModern(
      first.mcpUrl,
      'tools/call',
      { name: 'ask_name', arguments: {}, requestState, inputResponses: {} },
      CAN_ANSWER,
    );
    expect(repeat.json.result.structuredContent.data.greeting).toBe('Hello, Ada!');
    const tampered = await rawModern(
      first.mcpUrl,
      'tools/call',
      { name: 'ask_name', arguments: {}, requestState: `${requestState}x`, inputResponses: {} },
      CAN_ANSWER,
    );
    expect(tampered.json.error.code).toBe(-32602);
  });

  it('the official v2 client fulfils the input request through its elicitation handler', async () => {
    const client = new Client(
      { name: 'ask-test', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { elicitation: {} } },
    );
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(String(request.params.message));
      return { action: 'accept', content: { name: 'Grace' } };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(secondUrl())));
    const result = await client.callTool({ name: 'ask_name', arguments: { greeting: 'Hi' } });
    expect(asked).toEqual(['What is your name?']);
    expect((result.structuredContent as ToolEnvelope & { data: unknown }).data).toEqual({
      greeting: 'Hi, Grace!',
      action: 'accept',
    });
    await client.close();
  });

  it('refuses an answer that does not fit the requested schema (-32602, nothing lost), then takes a good one', async () => {
    const round1 = await rawModern(
      first.mcpUrl,
      'tools/call',
      { name: 'ask_name', arguments: {} },
      CAN_ANSWER,
    );
    const { requestState } = round1.json.result;
    const bad = await rawModern(
      first.mcpUrl,
      'tools/call',
      {
        name: 'ask_name',
        arguments: {},
        requestState,
        inputResponses: { who: { action: 'accept', content: { name: 42 } } },
      },
      CAN_ANSWER,
    );
    expect(bad.json.error.code).toBe(-32602);
    expect(bad.json.error.data).toMatchObject({
      requestState,
      invalidInputResponses: { who: expect.any(String) },
    });
    const malformed = await rawModern(
      first.mcpUrl,
      'tools/call',
      { name: 'ask_name', arguments: {}, requestState, inputResponses: { who: 12345 } },
      CAN_ANSWER,
    );
    expect(malformed.json.error.code).toBe(-32602);
    const notAnObject = await rawModern(
      first.mcpUrl,
      'tools/call',
      { name: 'ask_name', arguments: {}, requestState, inputResponses: null },
      CAN_ANSWER,
    );
    expect(notAnObject.json.error.code).toBe(-32602);
    // Nothing was recorded: the call still waits on the same ask, which a good answer completes.
    const ask = await first.platform.store.getAsk(requestState);
    expect(ask).toMatchObject({ status: 'open', answers: {} });
    const good = await rawModern(
      first.mcpUrl,
      'tools/call',
      {
        name: 'ask_name',
        arguments: {},
        requestState,
        inputResponses: { who: { action: 'decline' } },
      },
      CAN_ANSWER,
    );
    expect(good.json.result.structuredContent.data).toEqual({ greeting: 'Hello, !', action: 'decline' });
  });

  it('an unanswered ask ends INPUT_TIMEOUT once its ttl is over; a late answer gets that result', async () => {
    const round1 = await rawModern(
      first.mcpUrl,
      'tools/call',
      { name: 'ask_short', arguments: {} },
      CAN_ANSWER,
    );
    const { requestState } = round1.json.result;
    const callId = (await first.platform.store.getAsk(requestState))!.callId;
    const failed = await eventually(async () => {
      const call = await first.platform.store.getCall(callId);
      return call?.status === 'failed' ? call : null;
    });
    expect(failed.error).toMatchObject({ code: 'INPUT_TIMEOUT', retrySafe: true });
    const late = await rawModern(
      secondUrl(),
      'tools/call',
      {
        name: 'ask_short',
        arguments: {},
        requestState,
        inputResponses: { confirm: { action: 'accept', content: { ok: true } } },
      },
      CAN_ANSWER,
    );
    expect(late.json.result).toMatchObject({ isError: true, resultType: 'complete' });
    expect(late.json.result.structuredContent).toMatchObject({
      error_code: 'INPUT_TIMEOUT',
      call_id: callId,
    });
  });

  it('on 2025-11-25 a call that asks fails INPUT_UNSUPPORTED (no stateless channel for the question)', async () => {
    const { body, headers } = legacyRequest('tools/call', { name: 'ask_name', arguments: {} });
    const reply = await post(first.mcpUrl, body, headers);
    expect(reply.json.result.isError).toBe(true);
    expect(reply.json.result.structuredContent).toMatchObject({
      success: false,
      error_code: 'INPUT_UNSUPPORTED',
      retry_safe: false,
    });
    // A 2026-07-28 client that declared no capability to answer with is refused the same way.
    const bare = await rawModern(first.mcpUrl, 'tools/call', { name: 'ask_name', arguments: {} }, {});
    expect(bare.json.result.structuredContent.error_code).toBe('INPUT_UNSUPPORTED');
  });

  it('a task waits in input_required; tasks/update answers it, one request at a time', async () => {
    const created = await rawModern(
      first.mcpUrl,
      'tools/call',
      { name: 'ask_task', arguments: {} },
      { ...CAN_ANSWER, ...withTasks },
    );
    expect(created.json.result.resultType).toBe('task');
    const { taskId } = created.json.result;
    const get = () => rawModern(secondUrl(), 'tasks/get', { taskId }, withTasks);
    const waiting = await eventually(async () => {
      const view = (await get()).json.result;
      return view.status === 'input_required' ? view : null;
    });
    expect(Object.keys(waiting.inputRequests).sort()).toEqual(['name', 'roots']);
    expect(waiting).not.toHaveProperty('requestState');
    const update = (inputResponses: Record<string, unknown>) =>
      rawModern(first.mcpUrl, 'tasks/update', { taskId, inputResponses }, withTasks);

    const bad = await update({ roots: { roots: 'not a list' } });
    expect(bad.json.error.code).toBe(-32602);
    const partial = await update({
      roots: { roots: [{ uri: 'file:///a' }, { uri: 'file:///b' }] },
      extra: 1,
    });
    expect(partial.json.result).toEqual(expect.objectContaining({ resultType: 'complete' }));
    expect(partial.json.result).not.toHaveProperty('status');
    const still = (await get()).json.result;
    expect(still.status).toBe('input_required');
    expect(Object.keys(still.inputRequests)).toEqual(['name']);
    await update({ name: { action: 'accept', content: { name: 'Lin' } } });
    const done = await eventually(async () => {
      const view = (await get()).json.result;
      return view.status === 'completed' ? view : null;
    });
    expect(done.result.structuredContent).toEqual({
      success: true,
      data: { name: 'Lin', roots: 2 },
      call_id: taskId,
    });
  });

  it('prompts/get of a recipe-backed prompt asks too, and builds the messages from the answer', async () => {
    const round1 = await rawModern(first.mcpUrl, 'prompts/get', { name: 'write_about' }, CAN_ANSWER);
    expect(round1.json.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { topic: { method: 'elicitation/create' } },
    });
    const round2 = await rawModern(
      secondUrl(),
      'prompts/get',
      {
        name: 'write_about',
        requestState: round1.json.result.requestState,
        inputResponses: { topic: { action: 'accept', content: { topic: 'trains' } } },
      },
      CAN_ANSWER,
    );
    expect(round2.json.result.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Write about trains' } },
    ]);
  });
});
