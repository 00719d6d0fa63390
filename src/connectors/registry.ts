import type { Connector, ConnectorAction } from './connector.js';
import { createHttpConnector } from './http/index.js';
import { createSalesforceConnector } from './salesforce/index.js';
import { createSqlConnector } from './sql/index.js';
import { createStripeConnector } from './stripe/index.js';
import { createTwilioConnector } from './twilio/index.js';
import { createUtilConnector } from './util/index.js';

/** The connectors one process knows, looked up by the `connector.action` names recipes use. */
export interface ConnectorRegistry {
  get(name: string): Connector | undefined;
  action(connector: string, action: string): ConnectorAction | undefined;
  /** For the recipe compiler (structurally its `ActionRegistry`). */
  hasAction(connector: string, action: string): boolean;
  /** True when the connector's actions run against a named connection (false for unknown connectors). */
  needsConnection(connector: string): boolean;
  list(): Connector[];
  /** Closes every connector's agents and pools. Idempotent; call it once nothing runs actions any more. */
  close(): Promise<void>;
}

export function createConnectorRegistry(connectors: Connector[]): ConnectorRegistry {
  const byName = new Map<string, Connector>();
  for (const connector of connectors) {
    if (byName.has(connector.name)) throw new Error(`connector "${connector.name}" is registered twice`);
    byName.set(connector.name, connector);
  }
  let closing: Promise<void> | null = null;
  const action = (connector: string, name: string): ConnectorAction | undefined => {
    const actions = byName.get(connector)?.actions;
    // Own properties only: `toString` is not an action.
    return actions && Object.hasOwn(actions, name) ? actions[name] : undefined;
  };
  return {
    get: (name) => byName.get(name),
    action,
    hasAction: (connector, name) => action(connector, name) !== undefined,
    needsConnection: (name) => (byName.get(name)?.connectionSchema ?? null) !== null,
    list: () => [...byName.values()],
    close() {
      // allSettled: one connector failing to close must not leave the others' sockets open.
      closing ??= Promise.allSettled([...byName.values()].map((c) => c.close?.())).then(() => undefined);
      return closing;
    },
  };
}

/** Fresh instances of the built-in connectors (each owns its own agents and pools). */
export function builtinConnectors(): Connector[] {
  return [
    createUtilConnector(),
    createHttpConnector(),
    createSqlConnector(),
    createSalesforceConnector(),
    createStripeConnector(),
    createTwilioConnector(),
  ];
}
