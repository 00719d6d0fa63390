import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { repoRoot } from '../helpers/serve-process.js';

const more = path.join(repoRoot, 'test', 'fixtures', 'recipes-more');

// The REST face over real HTTP on the real call path (in-process platform, SQLite store).
describe('REST face: /v1', () => {
  let t: TestPlatform;
  let base: string;
  beforeAll(async () => {
    t = await startTestPlatform({
      recipes: more,
      env: { SWITCHYARD_LIMITS_WAIT: '300ms', SWITCHYARD_LIMITS_MAX_ATTEMPTS: '1' },
    });
    base = t.platform.url!;
  });
  afterAll(async () => t.stop());

  const post = (tool: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}/v1/tools/${tool}/calls`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('200 with the data and the call id; GET /v1/calls/{id} shows the same call', async () => {
    const res = await post('echo', { message: 'hi' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { call_id: string; status: string; data: unknown };
    expect(body).toMatchObject({ status: 'succeeded', data: { message: 'hi' } });
    const got = await fetch(`${base}/v1/calls/${body.call_id}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({
      call_id: body.call_id,
      tool: 'echo',
      status: 'succeeded',
      data: { message: 'hi' },
    });
  });

  it('a business error keeps its status; INVALID_ARGUMENTS is 400; an unknown tool 404', async () => {
    const occupied = await post('reserve_room', { room_number: '101' });
    expect(occupied.status).toBe(409);
    expect(await occupied.json()).toMatchObject({
      status: 'failed',
      error: { code: 'ROOM_NOT_VACANT', message: 'Room 101 is occupied', retry_safe: false },
    });
    const invalid = await post('reserve_room', { room_number: 'x' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ call_id: null, error: { code: 'INVALID_ARGUMENTS' } });
    expect((await post('reserve_room', '{not json')).status).toBe(400);
    const unknown = await post('nope', {});
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'UNKNOWN_TOOL' } });
  });

  it('Idempotency-Key: the same key returns the same call; other arguments are 422', async () => {
    const key = { 'idempotency-key': `rest-${Date.now()}` };
    const first = (await (await post('echo', { message: 'a' }, key)).json()) as { call_id: string };
    const again = (await (await post('echo', { message: 'a' }, key)).json()) as { call_id: string };
    expect(again.call_id).toBe(first.call_id);
    const reused = await post('echo', { message: 'b' }, key);
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('a retry-safe infrastructure failure is 503; a call still running is 202 with its Location', async () => {
    const down = await post('always_unavailable', {});
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE', retry_safe: true } });

    const running = await post('echo_sleep_echo', { message: 'slow', sleep_ms: 1500 });
    expect(running.status).toBe(202);
    const location = running.headers.get('location')!;
    const accepted = (await running.json()) as { call_id: string };
    expect(location).toBe(`/v1/calls/${accepted.call_id}`);
    expect(await (await fetch(`${base}${location}`)).json()).toMatchObject({ status: 'running' });
    let view: { status: string; data?: { summary: string } } = { status: 'running' };
    for (let i = 0; i < 100 && view.status !== 'succeeded'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      view = (await (await fetch(`${base}${location}`)).json()) as typeof view;
    }
    expect(view.data?.summary).toBe('slow / slept 1500 ms / slow');
  });

  it('GET of an unknown call is 404; wrong methods are 405 with Allow', async () => {
    expect((await fetch(`${base}/v1/calls/call_nope`)).status).toBe(404);
    const wrong = await fetch(`${base}/v1/tools/echo/calls`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('serves an OpenAPI 3.1 document of the active tools', async () => {
    const doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/tools/echo/calls', '/v1/calls/{call_id}']),
    );
    expect(
      doc.paths['/v1/tools/reserve_room/calls']?.post?.requestBody.content['application/json']?.schema,
    ).toMatchObject({
      required: ['room_number'],
    });
  });
});
