import type { IncomingMessage, ServerResponse } from 'node:http';
import { isJsonContentType } from '@modelcontextprotocol/server';
import { send } from './http-replies.js';
import { readBody } from './read-body.js';
import { openApiDocument } from './openapi.js';
import { restReply, restView, type RestReply } from './results.js';
import type { ToolService } from './tool-service.js';

const CALL_TOOL = /^\/v1\/tools\/([A-Za-z0-9_-]{1,64})\/calls\/?$/;
const GET_CALL = /^\/v1\/calls\/([A-Za-z0-9_]{1,80})\/?$/;

/**
 * The REST face, for webhooks and systems that are not agents: the same durable call path as MCP, the
 * tools of the default server, HTTP statuses from the error contract (DESIGN.md, "Results and errors").
 *   POST /v1/tools/{name}/calls   body = the arguments; `Idempotency-Key` header; 200, 202 while running
 *   GET  /v1/calls/{id}           the call's status and, once settled, its result
 *   GET  /v1/openapi.json         an OpenAPI 3.1 document of the above for the active tools
 * Returns false when the path is not the REST face's.
 */
export function createRestFace(options: { tools: ToolService; maxBodyBytes: number }) {
  const { tools, maxBodyBytes } = options;
  return async function handleRest(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<boolean> {
    if (!path.startsWith('/v1/')) return false;
    if (path === '/v1/openapi.json') {
      if (req.method !== 'GET') return done(res, methodNotAllowed('GET'));
      return done(res, { status: 200, body: openApiDocument(await tools.listTools('default')) });
    }
    const lookup = GET_CALL.exec(path);
    if (lookup) {
      if (req.method !== 'GET') return done(res, methodNotAllowed('GET'));
      const view = await tools.lookupCall(lookup[1] as string);
      return done(res, view ? restView(view) : notFound(`no call ${lookup[1]}`));
    }
    const call = CALL_TOOL.exec(path);
    if (!call) return done(res, notFound(`no route for ${path}`));
    if (req.method !== 'POST') return done(res, methodNotAllowed('POST'));
    if (!isJsonContentType(req.headers['content-type']))
      return done(res, problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'));
    const body = await readBody(req, maxBodyBytes);
    if (body === null)
      return done(res, {
        ...problem(413, 'PAYLOAD_TOO_LARGE', `the body exceeds ${maxBodyBytes} bytes`),
        headers: { connection: 'close' },
      });
    let args: unknown;
    try {
      args = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      return done(res, problem(400, 'INVALID_ARGUMENTS', 'the body is not valid JSON'));
    }
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const key = req.headers['idempotency-key'];
    const outcome = await tools.submit({
      server: 'default',
      tool: call[1] as string,
      args,
      headerKey: typeof key === 'string' ? key : null,
      metaKey: null,
      meta: { face: 'rest' },
      signal: gone.signal,
    });
    return done(res, restReply(outcome, call[1] as string));
  };
}

/** Sends the reply; true: the request was the REST face's. */
function done(res: ServerResponse, r: RestReply): true {
  send(res, r.status, JSON.stringify(r.body), r.headers);
  return true;
}

function problem(status: number, code: string, message: string): RestReply {
  return { status, body: { error: { code, message, retry_safe: false } } };
}

function notFound(message: string): RestReply {
  return problem(404, 'NOT_FOUND', message);
}

function methodNotAllowed(allow: string): RestReply {
  return { ...problem(405, 'METHOD_NOT_ALLOWED', `use ${allow}`), headers: { allow } };
}
