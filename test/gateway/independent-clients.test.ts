import { createMCPClient } from '@ai-sdk/mcp';
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../helpers/in-process.js';
import { repoRoot } from '../helpers/serve-process.js';

const more = path.join(repoRoot, 'test', 'fixtures', 'recipes-more');
const require = createRequire(import.meta.url);

// Clients nobody here wrote, listing and calling tools over real HTTP on the durable path.
describe('independent MCP clients', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ recipes: more });
  });
  afterAll(async () => t.stop());

  it('Vercel AI SDK (@ai-sdk/mcp): tools() and execute', async () => {
    const client = await createMCPClient({ transport: { type: 'http', url: t.mcpUrl } });
    try {
      const tools = await client.tools();
      expect(Object.keys(tools)).toEqual(expect.arrayContaining(['echo', 'reserve_room']));
      const result = (await tools.echo!.execute!(
        { message: 'from ai-sdk' },
        { toolCallId: 't1', messages: [] },
      )) as {
        structuredContent?: { success: boolean; data: unknown };
        isError?: boolean;
      };
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ success: true, data: { message: 'from ai-sdk' } });
      const failed = (await tools.reserve_room!.execute!(
        { room_number: '101' },
        { toolCallId: 't2', messages: [] },
      )) as {
        structuredContent?: { error_code: string };
        isError?: boolean;
      };
      expect(failed.isError).toBe(true);
      expect(failed.structuredContent).toMatchObject({ error_code: 'ROOM_NOT_VACANT' });
    } finally {
      await client.close();
    }
  });

  it('LangChain (@langchain/mcp-adapters): getTools and invoke', async () => {
    const client = new MultiServerMCPClient({
      mcpServers: { yard: { url: t.mcpUrl, transport: 'http', automaticSSEFallback: false } },
      useStandardContentBlocks: false,
    });
    try {
      const tools = await client.getTools();
      const echo = tools.find((tool) => tool.name === 'echo')!;
      expect(echo).toBeDefined();
      const output = await echo.invoke({ message: 'from langchain' });
      expect(JSON.stringify(output)).toContain('from langchain');
    } finally {
      await client.close();
    }
  });

  for (const protocol of ['legacy', 'auto'] as const) {
    it(`mcp-remote as a stdio bridge (--protocol ${protocol}), driven by a stdio client`, async () => {
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: [
          require.resolve('mcp-remote/dist/proxy.js'),
          t.mcpUrl,
          '--transport',
          'http-only',
          '--protocol',
          protocol,
        ],
        stderr: 'ignore',
      });
      const client = new V1Client({ name: 'stdio-host', version: '1.0.0' });
      await client.connect(transport);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'greet']));
        const result = await client.callTool({
          name: 'echo',
          arguments: { message: `via mcp-remote ${protocol}` },
        });
        expect(result.structuredContent).toMatchObject({
          success: true,
          data: { message: `via mcp-remote ${protocol}` },
        });
      } finally {
        await client.close();
      }
    });
  }
});
