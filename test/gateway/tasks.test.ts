import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolEnvelope } from '../../src/gateway/results.js';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { eventually } from '../helpers/serve-process.js';
import { legacyRequest, post } from './helpers.js';
import { mcpFixtures, modernClient, rawModern, TASKS, tasksSession, withTasks } from './mcp-helpers.js';

// The Tasks extension (SEP-2663, io.modelcontextprotocol/tasks) served from the store: the task id is
// the call id, and tasks/get|update|cancel are answered by whichever gateway gets them.
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ recipes: mcpFixtures, env: { SWITCHYARD_LIMITS_RETENTION: '1s' } });
});
afterAll(async () => t.stop());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('the Tasks extension, driven by @modelcontextprotocol/ext-tasks', () => {
  it('is advertised in server/discover (2026-07-28) and never on initialize (2025)', async () => {
    const client = await modernClient(t.mcpUrl);
    expect(client.getServerCapabilities()?.extensions).toEqual({ [TASKS]: {} });
    await client.close();
    const legacy = await post(t.mcpUrl, legacyRequest('initialize', { protocolVersion: '2025-11-25' }).body);
    expect(legacy.json.result.capabilities).not.toHaveProperty('extensions');
    expect(legacy.json.result.capabilities).not.toHaveProperty('tasks');
  });

  it('a call that outlives its wait becomes a task; polling it gives the result', async () => {
    const { client, session } = await tasksSession(t.mcpUrl);
    const execution = await session.callTool('nap', { ms: 700, label: 'slow' });
    expect(execution.kind).toBe('task');
    const taskId = execution.handle!.taskId;
    // The task id is the call id: the row was committed before the CreateTaskResult went out.
    expect((await t.platform.store.getCall(taskId))?.tool).toBe('nap');
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('completed');
    const result = (outcome as unknown as { result: { structuredContent: ToolEnvelope } }).result;
    expect(result.structuredContent).toEqual({
      success: true,
      data: { label: 'slow', slept_ms: 700 },
      call_id: taskId,
    });
    await session.close();
    await client.close();
  });

  it('a call that settles within its wait is answered at once, even for a declaring client', async () => {
    const { client, session } = await tasksSession(t.mcpUrl);
    const execution = await session.callTool('nap', { ms: 0, label: 'quick' });
    expect(execution.kind).toBe('immediate');
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('completed');
    await session.close();
    await client.close();
  });

  it('tasks/cancel is cooperative: the store cancels the call and the task ends cancelled', async () => {
    const { client, session } = await tasksSession(t.mcpUrl);
    const execution = await session.callTool('nap', { ms: 600_000, label: 'doomed' });
    expect(execution.kind).toBe('task');
    const taskId = execution.handle!.taskId;
    await execution.cancel();
    expect((await t.platform.store.getCall(taskId))?.status).toBe('cancelled');
    const view = await rawModern(t.mcpUrl, 'tasks/get', { taskId }, withTasks);
    expect(view.json.result).toMatchObject({ taskId, status: 'cancelled', resultType: 'complete' });
    expect(view.json.result).not.toHaveProperty('result');
    // Cancelling a settled task again is a plain acknowledgement.
    const again = await rawModern(t.mcpUrl, 'tasks/cancel', { taskId }, withTasks);
    expect(again.json.result).toEqual(expect.objectContaining({ resultType: 'complete' }));
    await eventually(async () => (t.platform.worker?.running ?? 0) === 0, 15_000);
    await session.close();
    await client.close();
  });
});

describe('the Tasks extension on the wire', () => {
  it('CreateTaskResult and tasks/get carry the SEP-2663 fields: ISO times, integer ttlMs and pollIntervalMs', async () => {
    const created = await rawModern(
      t.mcpUrl,
      'tools/call',
      { name: 'nap', arguments: { ms: 800 } },
      withTasks,
    );
    const task = created.json.result;
    expect(task).toMatchObject({ resultType: 'task', status: 'working', pollIntervalMs: 500 });
    expect(task.createdAt).toMatch(ISO);
    expect(task.lastUpdatedAt).toMatch(ISO);
    expect(Number.isInteger(task.ttlMs)).toBe(true);
    for (const absent of ['result', 'error', 'task', 'ttl', 'pollInterval', 'requestState'])
      expect(task).not.toHaveProperty(absent);
    const working = await rawModern(t.mcpUrl, 'tasks/get', { taskId: task.taskId }, withTasks);
    expect(working.json.result).toMatchObject({
      resultType: 'complete',
      taskId: task.taskId,
      status: 'working',
    });
    await eventually(async () => {
      const done = await rawModern(t.mcpUrl, 'tasks/get', { taskId: task.taskId }, withTasks);
      return done.json.result.status === 'completed' ? done : null;
    }, 10_000);
    const done = await rawModern(t.mcpUrl, 'tasks/get', { taskId: task.taskId }, withTasks);
    expect(done.json.result.result.structuredContent).toMatchObject({ success: true, call_id: task.taskId });
    const update = await rawModern(
      t.mcpUrl,
      'tasks/update',
      { taskId: task.taskId, inputResponses: {} },
      withTasks,
    );
    expect(update.json.result).toMatchObject({ resultType: 'complete' });
  });

  it('clients that did not declare the extension never get a task: CALL_IN_PROGRESS, or -32021 for a task-only tool', async () => {
    const client = await modernClient(t.mcpUrl);
    const running = await client.callTool({ name: 'nap', arguments: { ms: 800 } });
    expect(running.structuredContent).toMatchObject({ error_code: 'CALL_IN_PROGRESS', retry_safe: true });
    await expect(client.callTool({ name: 'nap_task_only', arguments: { ms: 1 } })).rejects.toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { extensions: { [TASKS]: {} } } },
    });
    await client.close();
    const raw = await rawModern(t.mcpUrl, 'tools/call', { name: 'nap_task_only', arguments: { ms: 1 } });
    expect(raw.status).toBe(400);
    // 2025-era clients cannot declare it at all.
    const legacy = legacyRequest('tools/call', { name: 'nap_task_only', arguments: { ms: 1 } });
    const old = await post(t.mcpUrl, legacy.body, legacy.headers);
    expect(old.json.error.code).toBe(-32021);
  });

  it('a task-only tool is a task at once for a declaring client; a never-task tool stays CALL_IN_PROGRESS', async () => {
    const only = await rawModern(
      t.mcpUrl,
      'tools/call',
      { name: 'nap_task_only', arguments: { ms: 1 } },
      withTasks,
    );
    expect(only.json.result).toMatchObject({ resultType: 'task' });
    const never = await rawModern(
      t.mcpUrl,
      'tools/call',
      { name: 'nap_never_task', arguments: { ms: 800 } },
      withTasks,
    );
    expect(never.json.result).toMatchObject({ resultType: 'complete', isError: true });
    expect(never.json.result.structuredContent.error_code).toBe('CALL_IN_PROGRESS');
  });

  it('tools/list states each tool task support as execution.taskSupport', async () => {
    // Read off the wire: the v2 client's 2026 codec drops `execution`, which the 2026 Tool schema lacks.
    const listed = await rawModern(t.mcpUrl, 'tools/list', {});
    const tools = listed.json.result.tools as { name: string; execution?: { taskSupport: string } }[];
    const support = Object.fromEntries(tools.map((tool) => [tool.name, tool.execution?.taskSupport]));
    expect(support).toMatchObject({
      nap: 'optional',
      nap_task_only: 'required',
      nap_never_task: 'forbidden',
    });
  });

  it('a result that cannot be rendered is a JSON-RPC -32603: on the sync path, and as a failed task', async () => {
    const sync = await rawModern(t.mcpUrl, 'tools/call', { name: 'unrenderable', arguments: {} });
    expect(sync.json.error).toEqual({ code: -32603, message: 'Internal error' });
    // The call itself succeeded and was kept; seen as a task, it is the one kind that ends `failed`.
    const calls = await t.platform.store.listCalls({ tool: 'unrenderable' });
    const failed = await rawModern(t.mcpUrl, 'tasks/get', { taskId: calls[0]!.id }, withTasks);
    expect(failed.json.result).toMatchObject({ status: 'failed', error: { code: -32603 } });
    expect(failed.json.result).not.toHaveProperty('result');
  });

  it('tasks/* are refused for non-declaring clients (-32021), unknown ids are -32602, tasks/list and tasks/result are -32601', async () => {
    const anonymous = await rawModern(t.mcpUrl, 'tasks/get', { taskId: 'call_x_nope' });
    expect([anonymous.status, anonymous.json.error.code]).toEqual([400, -32021]);
    for (const method of ['tasks/get', 'tasks/cancel', 'tasks/update']) {
      const unknown = await rawModern(
        t.mcpUrl,
        method,
        { taskId: 'call_x_nope', inputResponses: {} },
        withTasks,
      );
      expect(unknown.json.error.code).toBe(-32602);
    }
    for (const method of ['tasks/list', 'tasks/result']) {
      const gone = await rawModern(t.mcpUrl, method, { taskId: 'call_x_nope' }, withTasks);
      expect([gone.status, gone.json.error.code]).toEqual([404, -32601]);
    }
    const legacy = legacyRequest('tasks/get', { taskId: 'call_x_nope' });
    expect((await post(t.mcpUrl, legacy.body, legacy.headers)).json.error.code).toBe(-32601);
    const missing = await rawModern(t.mcpUrl, 'tasks/get', {}, withTasks);
    expect(missing.json.error.code).toBe(-32602);
  });

  it('honours ttlMs: a task is readable until createdAt + ttlMs, and gone (-32602) after', async () => {
    const created = await rawModern(
      t.mcpUrl,
      'tools/call',
      { name: 'short_lived', arguments: {} },
      withTasks,
    );
    const { taskId, ttlMs } = created.json.result;
    // The recipe's 1 s deadline plus the 1 s retention, counted from createdAt; the deadline runs from
    // the request's arrival, the moment before the row's commit, so a busy machine shaves a few ms off.
    expect(ttlMs).toBeLessThanOrEqual(2000);
    expect(ttlMs).toBeGreaterThan(1900);
    const fresh = await rawModern(t.mcpUrl, 'tasks/get', { taskId }, withTasks);
    expect(fresh.json.result).toMatchObject({ status: 'completed' });
    await eventually(async () => {
      const later = await rawModern(t.mcpUrl, 'tasks/get', { taskId }, withTasks);
      return later.json.error?.code === -32602;
    }, 10_000);
  });
});
