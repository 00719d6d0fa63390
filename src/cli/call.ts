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
      // The MCP client is loaded on use, like the platform elsewhere: `--help` stays fast.
      const { Client, StreamableHTTPClientTransport } = await import('@modelcontextprotocol/client');
      const client = new Client(
        { name: 'switchyard-cli', version: '0.1.0' },
        { versionNegotiation: { mode: 'auto' } },
      );
      const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
      try {
        await client.connect(transport);
      } catch (error) {
        await client.close().catch(() => undefined);
        throw new Error(`cannot reach ${url.href}: ${rootCause(error)}`);
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
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--url must be an http:// or https:// URL: ${value}`);
  return url;
}

/** The innermost message of an error chain ("connect ECONNREFUSED 127.0.0.1:9" rather than "fetch failed"). */
function rootCause(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 10; depth++) {
    const cause = current instanceof Error ? current.cause : undefined;
    if (!(cause instanceof Error) || !cause.message) break;
    current = cause;
  }
  const message = current instanceof Error ? current.message : String(current);
  return message.split('\n')[0] ?? message;
}
