import { isPlainObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { StepEffect } from '../../store/store.js';
import type { ActionContext, ActionResult, ConnectorAction } from '../connector.js';
import { callSalesforce, type SalesforceCall, type SalesforceReply } from './client.js';
import type { ResolvedSalesforceConfig } from './config.js';
import { invalidRequest, unexpectedAnswer } from './errors.js';
import * as schema from './schemas.js';
import { inlineSoqlParams } from './soql.js';
import type { SalesforceTransport } from './transport.js';

/** What the actions share: the connection reader and the guarded transport. */
export interface SalesforceDeps {
  readConfig(ctx: ActionContext): ResolvedSalesforceConfig;
  transport: SalesforceTransport;
}

const DEFAULT_MAX_RECORDS = 2000;

export function salesforceActions(deps: SalesforceDeps): Record<string, ConnectorAction> {
  /** Sends one REST call with the connection's access token (refreshed once on a 401: see client.ts). */
  const send = (ctx: ActionContext, call: SalesforceCall, effect: StepEffect) =>
    callSalesforce(ctx, deps.readConfig(ctx), deps.transport, call, effect);

  return {
    query: {
      description:
        'Runs a SOQL query; values go in `params` and replace :name placeholders as escaped literals. ' +
        'Follows result pages up to max_records.',
      input: schema.QUERY_INPUT,
      output: schema.QUERY_OUTPUT,
      effect: () => 'none',
      async run(input, ctx) {
        const params = (input.params as Record<string, JsonValue> | undefined) ?? {};
        const soql = inlineSoqlParams(input.soql as string, params);
        const max = (input.max_records as number | undefined) ?? DEFAULT_MAX_RECORDS;
        let reply = await send(ctx, { method: 'GET', path: '/query', query: { q: soql } }, 'none');
        let page = queryPage(reply.body);
        const records = [...page.records];
        let pages = 1;
        while (!page.done && page.nextRecordsUrl && records.length < max) {
          reply = await send(ctx, { method: 'GET', path: page.nextRecordsUrl }, 'none');
          page = queryPage(reply.body);
          records.push(...page.records);
          pages++;
        }
        const done = page.done && records.length <= max;
        return result(
          {
            totalSize: page.totalSize,
            done,
            records: records.slice(0, max).map(stripAttributes) as JsonValue[],
          },
          // The statement as the recipe wrote it and the names of its params: never their values.
          { method: 'GET', action: 'query', soql: clip(input.soql as string), params: Object.keys(params) },
          reply,
          { records: Math.min(records.length, max), pages },
        );
      },
    },
    get: {
      description: 'Reads one record by id (optionally only the given fields).',
      input: schema.GET_INPUT,
      output: { type: 'object' },
      effect: () => 'none',
      async run(input, ctx) {
        const fields = input.fields as string[] | undefined;
        const reply = await send(
          ctx,
          { method: 'GET', path: recordPath(input), query: fields ? { fields: fields.join(',') } : {} },
          'none',
        );
        return result(stripAttributes(reply.body), summary('GET', 'get', input), reply);
      },
    },
    create: {
      description:
        'Creates a record. Not deduplicated: a retried create can create twice; prefer upsert by an external id.',
      input: schema.CREATE_INPUT,
      output: schema.ID_OUTPUT,
      effect: () => 'unsafe',
      async run(input, ctx) {
        const path = `/sobjects/${encodeURIComponent(input.sobject as string)}`;
        const reply = await send(ctx, { method: 'POST', path, body: input.fields as JsonObject }, 'unsafe');
        return result({ id: idOf(reply.body) }, summary('POST', 'create', input), reply);
      },
    },
    update: {
      description: 'Sets fields of a record by id. Repeating it sets the same values: safe to retry.',
      input: schema.UPDATE_INPUT,
      output: schema.ID_OUTPUT,
      effect: () => 'keyed',
      async run(input, ctx) {
        const reply = await send(
          ctx,
          { method: 'PATCH', path: recordPath(input), body: input.fields as JsonObject },
          'keyed',
        );
        return result({ id: input.id as string }, summary('PATCH', 'update', input), reply);
      },
    },
    upsert: {
      description:
        'Creates or updates the record whose external id field has the given value: a retry finds the ' +
        'record the first try made, so the effect applies once.',
      input: schema.UPSERT_INPUT,
      output: schema.UPSERT_OUTPUT,
      effect: () => 'keyed',
      async run(input, ctx) {
        const externalId = String(input.external_id);
        // URLs read `.` and `..` segments (even percent-encoded) as directory moves, not as values.
        if (externalId === '.' || externalId === '..') {
          throw invalidRequest(`"${externalId}" cannot be an external id`);
        }
        const path = [input.sobject as string, input.external_id_field as string, externalId]
          .map(encodeURIComponent)
          .join('/');
        const reply = await send(
          ctx,
          { method: 'PATCH', path: `/sobjects/${path}`, body: input.fields as JsonObject },
          'keyed',
        );
        const body = isPlainObject(reply.body) ? reply.body : {};
        const created = typeof body.created === 'boolean' ? body.created : reply.status === 201;
        return result({ id: idOf(reply.body), created }, summary('PATCH', 'upsert', input), reply);
      },
    },
    limits: {
      description: "Reads the org's daily API request allowance (DailyApiRequests).",
      input: schema.LIMITS_INPUT,
      output: schema.LIMITS_OUTPUT,
      effect: () => 'none',
      async run(_input, ctx) {
        const reply = await send(ctx, { method: 'GET', path: '/limits' }, 'none');
        const daily = isPlainObject(reply.body) ? reply.body.DailyApiRequests : undefined;
        const max = isPlainObject(daily) && typeof daily.Max === 'number' ? daily.Max : 0;
        const remaining = isPlainObject(daily) && typeof daily.Remaining === 'number' ? daily.Remaining : 0;
        return result(
          { daily_api_requests: { max, remaining, used: max - remaining } },
          { method: 'GET', action: 'limits' },
          reply,
        );
      },
    },
  };
}

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl: string | null;
  records: JsonValue[];
}

function queryPage(body: JsonValue): QueryPage {
  if (!isPlainObject(body) || !Array.isArray(body.records)) {
    throw unexpectedAnswer('Salesforce answered the query with an unexpected body');
  }
  const next = typeof body.nextRecordsUrl === 'string' && body.nextRecordsUrl.startsWith('/services/data/');
  return {
    totalSize: typeof body.totalSize === 'number' ? body.totalSize : body.records.length,
    done: body.done !== false,
    nextRecordsUrl: next ? (body.nextRecordsUrl as string) : null,
    records: body.records as JsonValue[],
  };
}

/** Drops Salesforce's `attributes` ({type, url}) from a record and its related records, at any depth. */
export function stripAttributes(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(stripAttributes);
  if (!isPlainObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value as JsonObject)) {
    if (key !== 'attributes') out[key] = stripAttributes(item);
  }
  return out;
}

function recordPath(input: JsonObject): string {
  return `/sobjects/${encodeURIComponent(input.sobject as string)}/${encodeURIComponent(input.id as string)}`;
}

function idOf(body: JsonValue): string {
  if (isPlainObject(body) && typeof body.id === 'string') return body.id;
  throw unexpectedAnswer('Salesforce answered without the record id');
}

/** The audit keeps which record and which field names, never field values. */
function summary(method: string, action: string, input: JsonObject): JsonObject {
  const out: JsonObject = { method, action, sobject: input.sobject as string };
  if (typeof input.id === 'string') out.id = input.id;
  if (typeof input.external_id_field === 'string') out.external_id_field = input.external_id_field;
  if (isPlainObject(input.fields)) out.fields = Object.keys(input.fields);
  else if (Array.isArray(input.fields)) out.fields = input.fields;
  return out;
}

function result(
  output: JsonValue,
  request: JsonObject,
  reply: SalesforceReply,
  extra: JsonObject = {},
): ActionResult {
  const response: JsonObject = { status: reply.status, refreshed_token: reply.refreshedToken, ...extra };
  if (reply.apiUsage) response.api_usage = reply.apiUsage;
  return { output, request, response };
}

function clip(text: string): string {
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
