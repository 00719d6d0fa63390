import type { ActionRegistry } from '../../src/recipes/compile.js';
import type { ExpressionScope } from '../../src/recipes/expression.js';

/** A stand-in for the connector registry: connector → whether it needs a connection, and its actions. */
export function fakeRegistry(
  connectors: Record<string, { connection: boolean; actions: string[] }>,
): ActionRegistry {
  return {
    hasAction: (connector, action) => connectors[connector]?.actions.includes(action) ?? false,
    needsConnection: (connector) => connectors[connector]?.connection ?? false,
  };
}

export const utilRegistry = fakeRegistry({ util: { connection: false, actions: ['echo', 'sleep', 'fail'] } });

export const dewyRegistry = fakeRegistry({
  util: { connection: false, actions: ['echo', 'sleep', 'fail'] },
  salesforce: { connection: true, actions: ['query', 'update'] },
});

export function scope(parts: Partial<ExpressionScope> = {}): ExpressionScope {
  return {
    input: {},
    steps: {},
    call: { id: 'call_test', tool: 'test', attempt: 1, idempotency_key: null },
    env: {},
    ...parts,
  };
}
