import { ProtocolError, type JSONRPCRequest } from '@modelcontextprotocol/server';
import { isPlainObject } from '../core/json.js';
import { PARAM_HEADER_PREFIX, type ParamHeader } from '../core/param-headers.js';
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

/**
 * The custom-header half of SEP-2243, on a 2026-07-28 tools/call of a known tool: for each `x-mcp-header`
 * property whose argument is present and not null, the `Mcp-Param-{Name}` header must be there and, once
 * decoded (`=?base64?…?=` for values that are not plain ASCII), equal the argument: strings exactly,
 * booleans as `true`/`false`, integers by value (`42.0` is 42). A header for an absent or null argument
 * is ignored; an argument that is not a primitive is left to argument validation. Throws `-32020` (HTTP
 * 400) on the first disagreement, before anything is enqueued.
 */
export function checkParamHeaders(
  declared: readonly ParamHeader[],
  args: unknown,
  sent: Readonly<Record<string, string>> | undefined,
): void {
  for (const { path, name, type } of declared) {
    const value = valueAt(args, path);
    if (value === undefined || value === null) continue;
    const text = primitiveText(value);
    if (text === undefined) continue;
    const headerName = `${PARAM_HEADER_PREFIX}${name}`;
    const where = `arguments.${path.join('.')}=${JSON.stringify(value)}`;
    const raw = sent?.[headerName.toLowerCase()];
    if (raw === undefined)
      throw mismatch(
        '(missing)',
        `the body carries ${where} but the required ${headerName} header is absent`,
      );
    const header = raw.trim();
    // Node reads header bytes as Latin-1, so raw non-ASCII would be ambiguous; the spec sends it in Base64.
    if (!PLAIN_ASCII.test(header))
      throw mismatch(
        header,
        `the ${headerName} header carries characters outside printable ASCII; such values travel as =?base64?…?=`,
      );
    const decoded = decodeHeaderValue(header);
    if (decoded === undefined)
      throw mismatch(header, `the ${headerName} header carries an invalid Base64 sentinel value`);
    const equal =
      type === 'integer' && typeof value === 'number' && DECIMAL.test(decoded)
        ? Number(decoded) === value
        : decoded === text;
    if (!equal)
      throw mismatch(
        header,
        `the body carries ${where} but the ${headerName} header decodes to ${JSON.stringify(decoded)}`,
      );
  }
}

/** What an HTTP field value may hold as plain text: visible ASCII, space and tab. */
const PLAIN_ASCII = /^[\t\x20-\x7e]*$/;

/** A strict decimal, so `0x1a`, `1e3` or ` 42 ` never pass for a number. */
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** The spec's conversion of an argument to header text; undefined for what no header can carry. */
function primitiveText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!Number.isInteger(value) || Number.isSafeInteger(value))
  )
    return String(value);
  return undefined;
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
