import { createConnectionReader } from '../connection-config.js';
import type { Connector } from '../connector.js';
import { requestToken, SALESFORCE_SECRET_FIELDS } from './auth.js';
import { resolveSalesforceConfig, SALESFORCE_CONNECTION_SCHEMA } from './config.js';
import { salesforceActions } from './actions.js';
import { createSalesforceTransport } from './transport.js';

/**
 * `salesforce`: the REST API (SOQL queries, sObject reads and writes, limits) over the http connector's
 * SSRF-guarded undici pools, with OAuth2 tokens from the vault. There is no official Salesforce SDK for
 * Node, so requests are plain REST. `close()` closes the pools.
 */
export function createSalesforceConnector(): Connector {
  const transport = createSalesforceTransport();
  const readConnection = createConnectionReader(
    'salesforce',
    SALESFORCE_CONNECTION_SCHEMA,
    resolveSalesforceConfig,
  );
  return {
    name: 'salesforce',
    description:
      'Salesforce REST: SOQL queries with escaped params, sObject get/create/update/upsert, limits.',
    connectionSchema: SALESFORCE_CONNECTION_SCHEMA,
    secretFields: SALESFORCE_SECRET_FIELDS,
    refreshToken: (connection, signal) =>
      requestToken(connection, readConnection({ ...connection, connector: 'salesforce' }), transport, signal),
    actions: salesforceActions({ readConfig: (ctx) => readConnection(ctx.connection), transport }),
    close: () => transport.close(),
  };
}
