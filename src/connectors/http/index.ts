import type { JsonObject } from '../../core/json.js';
import { createConnectionReader } from '../connection-config.js';
import type { Connector, ConnectorAction } from '../connector.js';
import { requestSummary, responseSummary } from './audit.js';
import { HTTP_CONNECTION_SCHEMA, resolveHttpConfig } from './config.js';
import { createDispatcherCache } from './dispatchers.js';
import { HTTP_METHODS, httpEffect, type HttpMethod } from './effect.js';
import { HTTP_REQUEST_PROPERTIES, methodOf, prepareRequest } from './request-input.js';
import { responseOutput } from './response-output.js';
import { sendWithRetries } from './send-with-retries.js';

const OUTPUT: JsonObject = {
  type: 'object',
  properties: { status: { type: 'integer' }, headers: { type: 'object' }, body: {} },
};

/**
 * `http`: generic JSON/REST against a connection's `base_url`, SSRF-guarded, with retries for
 * transient failures. `close()` closes its connection pools.
 */
export function createHttpConnector(): Connector {
  const dispatchers = createDispatcherCache();
  const readConnection = createConnectionReader('http', HTTP_CONNECTION_SCHEMA, resolveHttpConfig);

  const action = (fixed: HttpMethod | null): ConnectorAction => ({
    description: fixed
      ? `Sends an HTTP ${fixed} request.`
      : 'Sends an HTTP request (method defaults to GET).',
    input: {
      type: 'object',
      additionalProperties: false,
      oneOf: [{ required: ['path'] }, { required: ['url'] }],
      properties: fixed
        ? HTTP_REQUEST_PROPERTIES
        : { method: { enum: [...HTTP_METHODS] }, ...HTTP_REQUEST_PROPERTIES },
    },
    output: OUTPUT,
    effect: (input) => httpEffect(methodOf(input, fixed), input.idempotency_key === true),
    async run(input, ctx) {
      const config = readConnection(ctx.connection);
      const method = methodOf(input, fixed);
      const req = prepareRequest(input, method, config, ctx.stepKey);
      const { agent, guard } = dispatchers.get(config.allowHosts);
      const { response, tries } = await sendWithRetries(req, httpEffect(method, req.sendsIdempotencyKey), {
        dispatcher: agent,
        guard,
        signal: ctx.signal,
        timeoutMs: config.timeoutMs,
        retries: config.retries,
        maxResponseBytes: config.maxResponseBytes,
      });
      return {
        output: responseOutput(response, req.responseHeaders),
        request: requestSummary(req),
        response: responseSummary(response, tries),
      };
    },
  });

  return {
    name: 'http',
    description: 'Generic JSON/REST requests to a connection base_url, SSRF-guarded.',
    connectionSchema: HTTP_CONNECTION_SCHEMA,
    actions: {
      request: action(null),
      get: action('GET'),
      post: action('POST'),
      put: action('PUT'),
      patch: action('PATCH'),
      delete: action('DELETE'),
    },
    close: () => dispatchers.close(),
  };
}
