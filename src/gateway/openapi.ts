import type { JsonObject } from '../core/json.js';
import type { ToolDescriptor } from './tool-service.js';

const ERROR = {
  type: 'object',
  required: ['code', 'message', 'retry_safe'],
  properties: {
    code: { type: 'string' },
    message: { type: 'string' },
    retry_safe: { type: 'boolean' },
    retry_after_ms: { type: 'integer' },
  },
};

/** The OpenAPI 3.1 document of the REST face for the active tools (JSON Schema 2020-12 bodies, as recipes declare). */
export function openApiDocument(tools: ToolDescriptor[] | null): JsonObject {
  const paths: JsonObject = {};
  for (const tool of tools ?? []) {
    const data = ((tool.outputSchema.properties as JsonObject | undefined)?.data ?? {}) as JsonObject;
    paths[`/v1/tools/${tool.name}/calls`] = {
      post: {
        operationId: tool.name,
        summary: tool.title ?? tool.name,
        description: tool.description,
        parameters: [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: false,
            description: 'The same key with the same arguments returns the same call; other arguments: 422.',
            schema: { type: 'string', maxLength: 255 },
          },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: tool.inputSchema } } },
        responses: {
          '200': response('The call succeeded', {
            type: 'object',
            required: ['call_id', 'status', 'data'],
            properties: { call_id: { type: 'string' }, status: { const: 'succeeded' }, data },
          }),
          '202': response(
            'Still running: poll the Location (GET /v1/calls/{call_id}) or repeat with the same key',
            {
              type: 'object',
              properties: { call_id: { type: 'string' }, status: { type: 'string' } },
            },
          ),
          default: response('A business error (with its status) or a platform error', {
            type: 'object',
            properties: { call_id: { type: ['string', 'null'] }, status: { type: 'string' }, error: ERROR },
          }),
        },
      },
    };
  }
  paths['/v1/calls/{call_id}'] = {
    get: {
      operationId: 'getCall',
      summary: 'A call: its status and, once settled, its data or error',
      parameters: [{ name: 'call_id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': response('The call', {
          type: 'object',
          required: ['call_id', 'tool', 'status'],
          properties: {
            call_id: { type: 'string' },
            tool: { type: 'string' },
            status: { type: 'string' },
            data: {},
            error: ERROR,
          },
        }),
        '404': response('No such call', { type: 'object', properties: { error: ERROR } }),
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Switchyard tools', version: '1' },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
  };
}

function response(description: string, schema: JsonObject): JsonObject {
  return { description, content: { 'application/json': { schema } } };
}
