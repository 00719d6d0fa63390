import { ProtocolError, ProtocolErrorCode, specTypeSchemas } from '@modelcontextprotocol/server';
import type { SchemaValidator } from '../core/json-schema.js';
import { isPlainObject, type JsonObject } from '../core/json.js';
import type { AskRecord, InputRequestMap } from '../store/store.js';

/** The response type each input request method expects (SEP-2322: the bare result, no envelope). */
const RESULT_OF = {
  'elicitation/create': 'ElicitResult',
  'sampling/createMessage': 'CreateMessageResult',
  'roots/list': 'ListRootsResult',
} as const;

export interface CheckedResponses {
  /** The valid responses to requests still unanswered, by key. */
  answers: JsonObject;
  /** Why each refused response was refused, by key; empty when all were valid. */
  problems: Record<string, string>;
}

/**
 * Checks a client's `inputResponses` against an open ask: each response to a request still unanswered
 * must be that request's result type (the SDK's schema), and an accepted elicitation's content must
 * match the requestedSchema. Keys the ask did not request, or that were answered already, are ignored
 * (SEP-2322: servers ignore what they do not recognise).
 */
export function checkInputResponses(
  ask: AskRecord,
  responses: JsonObject,
  validator: SchemaValidator,
): CheckedResponses {
  const answers: JsonObject = {};
  const problems: Record<string, string> = {};
  for (const [key, request] of Object.entries(pending(ask))) {
    if (!Object.hasOwn(responses, key)) continue;
    const response = responses[key];
    const problem = checkOne(request, response, validator);
    if (problem) problems[key] = problem;
    else answers[key] = response ?? null;
  }
  return { answers, problems };
}

/** The requests of an ask still waiting for their response. */
export function pending(ask: AskRecord): InputRequestMap {
  return Object.fromEntries(Object.entries(ask.requests).filter(([key]) => !Object.hasOwn(ask.answers, key)));
}

function checkOne(
  request: InputRequestMap[string],
  response: unknown,
  validator: SchemaValidator,
): string | null {
  const type = RESULT_OF[request.method as keyof typeof RESULT_OF];
  if (!type) return `the request's method ${request.method} takes no response here`;
  const issues = specTypeSchemas[type]['~standard'].validate(response).issues;
  if (issues && issues.length > 0) {
    const issue = issues[0];
    const at = issue?.path?.length
      ? ` at ${issue.path.map((p) => String(typeof p === 'object' ? p.key : p)).join('.')}`
      : '';
    return `must be a ${type}${at}: ${issue?.message ?? 'invalid'}`;
  }
  if (request.method === 'elicitation/create' && isPlainObject(response) && response.action === 'accept') {
    const schema = request.params.requestedSchema;
    if (isPlainObject(schema)) {
      const problem = validator.check(schema, response.content ?? {});
      if (problem) return `the accepted content does not match the requested schema: ${problem}`;
    }
  }
  return null;
}

/** The client capabilities that let a server ask for input (SEP-2322's three request kinds). */
const INPUT_KINDS = ['elicitation', 'sampling', 'roots'] as const;

/** The kinds of input request a 2026-07-28 request's client capabilities declare it can answer. */
export function inputCapabilities(capabilities: JsonObject): string[] {
  return INPUT_KINDS.filter((kind) => isPlainObject(capabilities[kind]));
}

/**
 * A 2026-07-28 retry answering an InputRequiredResult: `requestState` (a string) with `inputResponses`
 * (an object; absent means none). `inputResponses` without `requestState` belong to no pending request
 * and are ignored (SEP-2322: what the server does not recognise, it ignores); malformed ones are -32602.
 */
export function resumeOf(
  params: Record<string, unknown>,
): { requestState: string; inputResponses: JsonObject } | undefined {
  const { requestState, inputResponses } = params;
  if (inputResponses !== undefined && !isPlainObject(inputResponses))
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      'Invalid params: inputResponses must be an object of responses by input request key',
    );
  if (requestState === undefined) return undefined;
  if (typeof requestState !== 'string' || requestState === '')
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      'Invalid params: requestState must be the string the InputRequiredResult carried',
    );
  return { requestState, inputResponses: (inputResponses ?? {}) as JsonObject };
}
