import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolEnvelope } from '../../src/gateway/results.js';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { mcpFixtures, modernClient, rawModern } from './mcp-helpers.js';

// Prompts and resources declared in descriptor files beside the recipes, served on both protocol eras;
// tool results carrying a recipe's own content blocks.
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ recipes: mcpFixtures });
});
afterAll(async () => t.stop());

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

describe('prompts (official v2 client, 2026-07-28)', () => {
  it('lists prompts with their arguments and renders one with arguments', async () => {
    const client = await modernClient(t.mcpUrl);
    expect(client.getServerCapabilities()).toMatchObject({ prompts: {}, resources: {}, completions: {} });
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([
      {
        name: 'welcome',
        title: 'Welcome a guest',
        description: 'Drafts a welcome message.',
        arguments: [
          { name: 'guest', description: "The guest's name", required: true },
          { name: 'tone', description: 'formal or casual', required: false },
        ],
      },
    ]);
    const rendered = await client.getPrompt({ name: 'welcome', arguments: { guest: 'Ada', tone: 'casual' } });
    expect(rendered.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Write a casual welcome for Ada.' } },
      {
        role: 'assistant',
        content: {
          type: 'resource',
          resource: { uri: 'docs://handbook', mimeType: 'text/plain', text: 'Greet every guest by name.' },
        },
      },
    ]);
    const plain = await client.getPrompt({ name: 'welcome', arguments: { guest: 'Bo' } });
    expect(plain.messages[0]?.content).toEqual({ type: 'text', text: 'Write a formal welcome for Bo.' });
    await client.close();
  });

  it('a missing required argument or an unknown prompt is -32602', async () => {
    const client = await modernClient(t.mcpUrl);
    await expect(client.getPrompt({ name: 'welcome', arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringContaining('"guest"'),
    });
    await expect(client.getPrompt({ name: 'nope' })).rejects.toMatchObject({ code: -32602 });
    const bad = await rawModern(t.mcpUrl, 'prompts/get', { name: 'welcome', arguments: { guest: 3 } });
    expect(bad.json.error.code).toBe(-32602);
    await client.close();
  });

  it('completes a prompt argument from its declared values', async () => {
    const client = await modernClient(t.mcpUrl);
    const { completion } = await client.complete({
      ref: { type: 'ref/prompt', name: 'welcome' },
      argument: { name: 'tone', value: 'c' },
    });
    expect(completion.values).toEqual(['casual', 'cheerful']);
    await client.close();
  });
});

describe('resources', () => {
  it('lists static resources and templates, and reads text and binary content', async () => {
    const client = await modernClient(t.mcpUrl);
    const { resources } = await client.listResources();
    expect(resources).toEqual([
      {
        uri: 'docs://handbook',
        name: 'handbook',
        title: 'Staff handbook',
        description: "The front desk's handbook.",
        mimeType: 'text/plain',
      },
      { uri: 'images://logo', name: 'logo', mimeType: 'image/png' },
    ]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      {
        uriTemplate: 'rooms://{number}',
        name: 'room',
        description: "A room's record, built by the room_data recipe.",
        mimeType: 'application/json',
      },
    ]);
    expect((await client.readResource({ uri: 'docs://handbook' })).contents).toEqual([
      { uri: 'docs://handbook', mimeType: 'text/plain', text: 'Greet every guest by name.' },
    ]);
    expect((await client.readResource({ uri: 'images://logo' })).contents).toEqual([
      { uri: 'images://logo', mimeType: 'image/png', blob: PNG },
    ]);
    await client.close();
  });

  it('a template read runs its (internal) recipe as a durable call; a 404 failure is resource-not-found', async () => {
    const client = await modernClient(t.mcpUrl);
    const read = await client.readResource({ uri: 'rooms://301' });
    expect(read.contents).toEqual([
      { uri: 'rooms://301', mimeType: 'application/json', text: '{"number":"301","floor":"3"}' },
    ]);
    expect((await t.platform.store.listCalls({ tool: 'room_data' }))[0]).toMatchObject({
      status: 'succeeded',
      args: { number: '301' },
      meta: { face: 'resource', uri: 'rooms://301' },
    });
    await expect(client.readResource({ uri: 'rooms://404' })).rejects.toMatchObject({ code: -32602 });
    await expect(client.readResource({ uri: 'nowhere://x' })).rejects.toMatchObject({ code: -32602 });
    // Variables that break the recipe's input schema are the client's to fix.
    await expect(client.readResource({ uri: 'rooms://abc' })).rejects.toMatchObject({ code: -32602 });
    // The internal recipe is still not a tool.
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('room_data');
    await client.close();
  });

  it('are served on 2025-11-25 too (v1 SDK client, stateless)', async () => {
    const client = new V1Client({ name: 'v1-catalog', version: '1.0.0' });
    await client.connect(new V1Transport(new URL(t.mcpUrl)));
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['welcome']);
    expect((await client.listResources()).resources).toHaveLength(2);
    expect((await client.readResource({ uri: 'rooms://12' })).contents[0]).toMatchObject({
      text: '{"number":"12","floor":"1"}',
    });
    const prompt = await client.getPrompt({ name: 'welcome', arguments: { guest: 'Cy' } });
    expect(prompt.messages).toHaveLength(2);
    await client.close();
  });
});

describe('tool results with content blocks', () => {
  it("carries the recipe's text, image, audio and embedded-resource blocks before the envelope's text block", async () => {
    const client = await modernClient(t.mcpUrl);
    const result = await client.callTool({ name: 'picture', arguments: { caption: 'a red dot' } });
    const envelope = result.structuredContent as ToolEnvelope & { call_id: string };
    const content = result.content as Record<string, unknown>[];
    expect(content.map((block) => block.type)).toEqual(['text', 'image', 'audio', 'resource', 'text']);
    expect(content[0]).toEqual({ type: 'text', text: 'a red dot' });
    expect(content[1]).toEqual({ type: 'image', data: PNG, mimeType: 'image/png' });
    expect(content[2]).toMatchObject({ type: 'audio', mimeType: 'audio/wav' });
    expect(content[3]).toEqual({
      type: 'resource',
      resource: {
        uri: `pictures://${envelope.call_id}`,
        mimeType: 'application/json',
        text: JSON.stringify({ caption: 'a red dot', png: PNG }),
      },
    });
    expect(JSON.parse(content[4]!.text as string)).toEqual(envelope);
    await client.close();
  });

  it('a tool that needs a client capability the request did not declare is refused -32021 (HTTP 400)', async () => {
    const refused = await rawModern(t.mcpUrl, 'tools/call', { name: 'needs_sampling', arguments: {} });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { sampling: {} } },
    });
    const served = await rawModern(
      t.mcpUrl,
      'tools/call',
      { name: 'needs_sampling', arguments: {} },
      { sampling: {} },
    );
    expect(served.json.result.structuredContent).toMatchObject({ success: true, data: 'ok' });
  });
});
