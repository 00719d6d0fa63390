import { ProtocolError, type JSONRPCRequest } from '@modelcontextprotocol/server';
import { isPlainObject } from '../core/json.js';
import { HEADER_MISMATCH, type McpHeaders } from './mcp-protocol.js';

/**
 * The presence half of SEP-2243 for modern requests, which the SDK runs in its HTTP entry
 * (`validateStandardRequestHeaders`) but does not export. `classifyInboundRequest` already rejects the
 * mismatch cells (protocol version header vs envelope, `Mcp-Method` vs body method); this adds: both
 * headers required on every request, and `Mcp-Name` required and equal to the body field it mirrors.
 * Throws the `-32020` error (HTTP 400); notifications are exempt, as in the SDK.
 */
export function checkStandardHeaders(headers: McpHeaders, message: JSONRPCRequest): void {
  if (headers.protocolVersion === undefined)
    throw mismatch('(missing)', 'the required MCP-Protocol-Version header is absent');
  if (headers.method === undefined)
    throw mismatch(
      '(missing)',
      `the body names method ${message.method} but the required Mcp-Method header is absent`,
    );
  const field = NAME_SOURCE.get(message.method);
  if (field === undefined) return;
  const raw = isPlainObject(message.params) ? message.params[field] : undefined;
  const bodyValue = typeof raw === 'string' ? raw : undefined;
  if (headers.name === undefined) {
    if (bodyValue !== undefined)
      throw mismatch(
        '(missing)',
        `the body carries params.${field}="${bodyValue}" but the required Mcp-Name header is absent`,
      );
    return;
  }
  const header = headers.name.trim();
  const decoded = decodeHeaderValue(header);
  if (decoded === undefined)
    throw mismatch(header, 'the Mcp-Name header carries an invalid Base64 sentinel value');
  if (bodyValue !== undefined && decoded !== bodyValue)
    throw mismatch(
      header,
      `the body carries params.${field}="${bodyValue}" but the Mcp-Name header names "${decoded}"`,
    );
}

/** Which body field `Mcp-Name` mirrors, per method (SEP-2243 and SEP-2663; the SDK's `MCP_NAME_HEADER_SOURCE`). */
const NAME_SOURCE = new Map([
  ['tools/call', 'name'],
  ['prompts/get', 'name'],
  ['resources/read', 'uri'],
  ['tasks/get', 'taskId'],
  ['tasks/update', 'taskId'],
  ['tasks/cancel', 'taskId'],
]);

const SENTINEL_PREFIX = '=?base64?';
const SENTINEL_SUFFIX = '?=';
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Values that are not plain header text travel as `=?base64?…?=`; undefined when that payload is malformed. */
function decodeHeaderValue(value: string): string | undefined {
  if (!value.startsWith(SENTINEL_PREFIX) || !value.endsWith(SENTINEL_SUFFIX)) return value;
  const payload = value.slice(SENTINEL_PREFIX.length, value.length - SENTINEL_SUFFIX.length);
  if (!CANONICAL_BASE64.test(payload)) return undefined;
  try {
    return strictUtf8.decode(Buffer.from(payload, 'base64'));
  } catch {
    return undefined;
  }
}

function mismatch(header: string, body: string): ProtocolError {
  return new ProtocolError(HEADER_MISMATCH, `Bad Request: the request headers and body disagree: ${body}`, {
    mismatch: { header, body },
  });
}
