import type { IncomingMessage, ServerResponse } from 'node:http';

/** The code the SDK's HTTP entry uses for transport-level refusals (403, 405, 413, 415); not a spec-range code. */
const TRANSPORT_ERROR = -32000;

/** Writes a complete JSON reply (or an empty one) unless the client is already gone. Never a session header. */
export function send(
  res: ServerResponse,
  status: number,
  body: string | null,
  headers?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === null) {
    res.writeHead(status).end();
    return;
  }
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

/** An MCP-endpoint refusal in the SDK's shape: a JSON-RPC error with a null id. */
export function refuse(
  res: ServerResponse,
  status: number,
  message: string,
  headers?: Record<string, string>,
): void {
  send(
    res,
    status,
    JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: TRANSPORT_ERROR, message } }),
    headers,
  );
}

/** The generic answer to a failure we did not foresee; its detail goes to the log only. */
export function internalError(res: ServerResponse): void {
  send(
    res,
    500,
    JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } }),
  );
}

/** A health probe's reply: GET or HEAD only. */
export function probe(req: IncomingMessage, res: ServerResponse, status: number, body: object): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, JSON.stringify({ error: 'method_not_allowed' }), { allow: 'GET, HEAD' });
  }
  send(res, status, JSON.stringify(body));
}
