import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { isPlainObject } from '../core/json.js';
import { DEFAULT_URL } from './options.js';

interface CallFlags {
  args: string;
  url: string;
  idempotencyKey?: string;
}

export function registerCall(program: Command): void {
  program
    .command('call <tool>')
    .description('call a tool on a running server with an MCP client (2026-07-28) and print the result')
    .option('--args <json>', 'the arguments as a JSON object', '{}')
    .option('--url <url>', 'the MCP endpoint', DEFAULT_URL)
    .option('--idempotency-key <key>', 'sent as the Idempotency-Key header')
    .action(async (tool: string, flags: CallFlags) => {
      let args: unknown;
      try {
        args = JSON.parse(flags.args);
      } catch {
        throw new UsageError('--args is not valid JSON');
      }
      if (!isPlainObject(args)) throw new UsageError('--args must be a JSON object');
      const url = parseUrl(flags.url);
      const headers: Record<string, string> = flags.idempotencyKey
        ? { 'Idempotency-Key': flags.idempotencyKey }
        : {};
      const client = new Client(
        { name: 'switchyard-cli', version: '0.1.0' },
        { versionNegotiation: { mode: 'auto' } },
      );
      const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
      try {
        await client.connect(transport);
      } catch (error) {
        throw new UsageError(`cannot reach ${url.href}: ${(error as Error).message.split('\n')[0]}`);
      }
      try {
        const result = await client.callTool({ name: tool, arguments: args });
        process.stdout.write(`${JSON.stringify(result.structuredContent ?? result, null, 2)}\n`);
        if (result.isError) process.exitCode = 1;
      } finally {
        await client.close().catch(() => undefined);
      }
    });
}

function parseUrl(value: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new UsageError(`--url is not a URL: ${value}`);
  }
}
