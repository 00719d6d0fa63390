import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanParamHeaders } from '../../src/core/param-headers.js';
import { checkParamHeaders } from '../../src/gateway/standard-headers.js';
import { repoRoot } from '../helpers/serve-process.js';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { legacyRequest, modernRequest, post } from './helpers.js';
import { modernClient } from './mcp-helpers.js';

// SEP-2243's custom headers (MCP 2026-07-28): input properties annotated with x-mcp-header travel as
// Mcp-Param-{Name} headers too, and the gateway checks them against the body before queueing the call.

const base64 = (text: string) => `=?base64?${Buffer.from(text, 'utf8').toString('base64')}?=`;

describe('checkParamHeaders', () => {
  const { headers: declared } = scanParamHeaders({
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region' },
      priority: { type: 'integer', 'x-mcp-header': 'Priority' },
      dry_run: { type: 'boolean', 'x-mcp-header': 'Dry-Run' },
      target: { type: 'object', properties: { site: { type: 'string', 'x-mcp-header': 'Site' } } },
    },
  });
  const check = (args: unknown, sent: Record<string, string> | undefined) => () =>
    checkParamHeaders(declared, args, sent);
  const rejected = { code: -32020, message: expect.stringContaining('headers and body disagree') };

  it('scans the annotations with their argument paths', () => {
    expect(declared).toEqual([
      { path: ['region'], name: 'Region', type: 'string' },
      { path: ['priority'], name: 'Priority', type: 'integer' },
      { path: ['dry_run'], name: 'Dry-Run', type: 'boolean' },
      { path: ['target', 'site'], name: 'Site', type: 'string' },
    ]);
  });

  it('accepts headers equal to the arguments: strings, integers by value, booleans, nested, Base64', () => {
    expect(
      check(
        { region: 'eu-west-1', priority: 3, dry_run: false, target: { site: 'Zürich' } },
        {
          'mcp-param-region': 'eu-west-1',
          'mcp-param-priority': '3.0',
          'mcp-param-dry-run': 'false',
          'mcp-param-site': base64('Zürich'),
        },
      ),
    ).not.toThrow();
    // Optional whitespace around a field value is not part of it (RFC 9110 §5.5).
    expect(check({ region: 'x' }, { 'mcp-param-region': '  x ' })).not.toThrow();
  });

  it('needs no header for an absent or null argument, and ignores one sent anyway', () => {
    expect(check({}, undefined)).not.toThrow();
    expect(check({ region: null, target: {} }, { 'mcp-param-region': 'eu' })).not.toThrow();
    expect(check(undefined, undefined)).not.toThrow();
  });

  it('leaves an argument no header can carry (an object where a string belongs) to argument validation', () => {
    expect(check({ region: { a: 1 } }, undefined)).not.toThrow();
  });

  it('rejects a missing header with -32020, naming the header and the argument', () => {
    expect(check({ region: 'eu' }, undefined)).toThrow(
      expect.objectContaining({
        ...rejected,
        message: expect.stringMatching(
          /arguments\.region="eu" but the required Mcp-Param-Region header is absent/,
        ),
        data: { mismatch: { header: '(missing)', body: expect.any(String) } },
      }),
    );
    expect(check({ target: { site: 'a' } }, { 'mcp-param-region': 'a' })).toThrow(
      expect.objectContaining({ code: -32020, message: expect.stringContaining('Mcp-Param-Site') }),
    );
  });

  it('rejects a mismatch: other text, other case, an integer that is not a strict decimal, a boolean spelt otherwise', () => {
    for (const [args, sent] of [
      [{ region: 'eu' }, { 'mcp-param-region': 'us' }],
      [{ region: 'eu' }, { 'mcp-param-region': 'EU' }],
      [{ priority: 26 }, { 'mcp-param-priority': '0x1a' }],
      [{ priority: 1000 }, { 'mcp-param-priority': '1e3' }],
      [{ dry_run: true }, { 'mcp-param-dry-run': 'True' }],
      [{ region: 'Zürich' }, { 'mcp-param-region': base64('Zurich') }],
    ] as const)
      expect(check(args, sent), JSON.stringify(sent)).toThrow(expect.objectContaining(rejected));
  });

  it('rejects raw non-ASCII header text: such values must come Base64-encoded', () => {
    expect(check({ region: 'Zürich' }, { 'mcp-param-region': 'Zürich' })).toThrow(
      expect.objectContaining({ code: -32020, message: expect.stringContaining('outside printable ASCII') }),
    );
  });

  it('rejects a Base64 sentinel whose payload is not canonical Base64 or not UTF-8', () => {
    for (const header of ['=?base64?SGVsbG8?=', '=?base64?SGVs!!!bG8=?=', '=?base64?/w==?='])
      expect(check({ region: 'Hello' }, { 'mcp-param-region': header }), header).toThrow(
        expect.objectContaining({ message: expect.stringContaining('invalid Base64 sentinel') }),
      );
    // Without both ends of the sentinel the value is literal text.
    expect(check({ region: '=?base64?SGVsbG8=' }, { 'mcp-param-region': '=?base64?SGVsbG8=' })).not.toThrow();
  });
});

describe('Mcp-Param-* headers on tools/call over HTTP', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({
      recipes: path.join(repoRoot, 'test', 'fixtures', 'recipes-param-headers'),
    });
  });
  afterAll(async () => t.stop());

  const call = (args: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const request = modernRequest('tools/call', { name: 'route_request', arguments: args });
    return post(t.mcpUrl, request.body, { ...request.headers, ...headers });
  };
  const calls = async () => (await t.platform.store.listCalls({ tool: 'route_request' })).length;

  it('tools/list carries the annotations and the $anchor unchanged', async () => {
    const { body, headers } = modernRequest('tools/list');
    const reply = await post(t.mcpUrl, body, headers);
    const schema = reply.json.result.tools[0].inputSchema;
    expect(schema.properties.region).toEqual({ type: 'string', 'x-mcp-header': 'Region' });
    expect(schema.properties.target.properties.site['x-mcp-header']).toBe('Site');
    expect(schema.$defs.label.$anchor).toBe('label');
  });

  it('runs a call whose headers match the body, a non-ASCII value Base64-encoded', async () => {
    const args = { region: 'Zürich', priority: 2, dry_run: true, target: { site: 'lab 7' }, label: 'x' };
    const reply = await call(args, {
      'Mcp-Param-Region': base64('Zürich'),
      'Mcp-Param-Priority': '2',
      'mcp-param-dry-run': 'true',
      'MCP-PARAM-SITE': 'lab 7',
    });
    expect(reply.status).toBe(200);
    expect(reply.json.result.structuredContent).toMatchObject({ success: true, data: args });
  });

  it('refuses a missing or mismatched header with -32020 (HTTP 400) and queues nothing', async () => {
    const before = await calls();
    const missing = await call({ region: 'eu-west-1' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({
      code: -32020,
      message: expect.stringContaining('Mcp-Param-Region header is absent'),
    });
    const mismatched = await call(
      { region: 'eu-west-1', priority: 2 },
      {
        'mcp-param-region': 'eu-west-1',
        'mcp-param-priority': '3',
      },
    );
    expect(mismatched.status).toBe(400);
    expect(mismatched.json.error).toMatchObject({
      code: -32020,
      data: { mismatch: { header: '3', body: expect.stringContaining('arguments.priority=2') } },
    });
    const raw = await call({ region: 'Zürich' }, { 'mcp-param-region': 'Zürich' });
    expect(raw.status).toBe(400);
    const badBase64 = await call({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' });
    expect(badBase64.json.error).toMatchObject({ code: -32020 });
    expect(await calls()).toBe(before);
  });

  it('checks headers before arguments: invalid arguments with matching headers are INVALID_ARGUMENTS', async () => {
    const reply = await call(
      { region: 'eu', label: 'far too long for the anchored schema' },
      {
        'mcp-param-region': 'eu',
      },
    );
    expect(reply.status).toBe(200);
    expect(reply.json.result.structuredContent).toMatchObject({
      success: false,
      error_code: 'INVALID_ARGUMENTS',
    });
  });

  it('asks nothing of 2025-era requests, which have no such headers', async () => {
    const { body, headers } = legacyRequest('tools/call', {
      name: 'route_request',
      arguments: { region: 'eu' },
    });
    const reply = await post(t.mcpUrl, body, headers);
    expect(reply.json.result.structuredContent).toMatchObject({ success: true, data: { region: 'eu' } });
  });

  it('the official v2 client mirrors the annotated arguments itself', async () => {
    const client = await modernClient(t.mcpUrl);
    await client.listTools();
    const result = await client.callTool({
      name: 'route_request',
      arguments: { region: '  Zürich  ', priority: 5, target: { site: 'α' } },
    });
    expect(result.structuredContent).toMatchObject({
      success: true,
      data: { region: '  Zürich  ', priority: 5, target: { site: 'α' } },
    });
    await client.close();
  });
});
