import { describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/connector.js';
import { builtinConnectors, createConnectorRegistry } from '../../src/connectors/registry.js';

describe('connector registry', () => {
  const registry = createConnectorRegistry(builtinConnectors());

  it('lists the built-in connectors and finds their actions', () => {
    expect(registry.list().map((c) => c.name)).toEqual([
      'util',
      'http',
      'sql',
      'salesforce',
      'stripe',
      'twilio',
    ]);
    expect(registry.get('http')?.name).toBe('http');
    expect(registry.action('util', 'echo')?.description).toMatch(/input/);
    expect(registry.hasAction('http', 'post')).toBe(true);
    expect(registry.hasAction('sql', 'execute')).toBe(true);
    expect(registry.hasAction('util', 'nope')).toBe(false);
    expect(registry.hasAction('util', 'toString')).toBe(false);
    expect(registry.hasAction('nope', 'echo')).toBe(false);
  });

  it('knows which connectors need a connection', () => {
    expect(registry.needsConnection('util')).toBe(false);
    expect(registry.needsConnection('http')).toBe(true);
    expect(registry.needsConnection('sql')).toBe(true);
    expect(registry.needsConnection('nope')).toBe(false);
  });

  it('refuses two connectors with one name', () => {
    const [util] = builtinConnectors();
    expect(() => createConnectorRegistry([util as Connector, util as Connector])).toThrow(/twice/);
  });

  it('closes every connector once, even when one fails to close', async () => {
    let closes = 0;
    const failing: Connector = {
      name: 'a',
      description: '',
      connectionSchema: null,
      actions: {},
      close: () => Promise.reject(new Error('boom')),
    };
    const counting: Connector = {
      name: 'b',
      description: '',
      connectionSchema: null,
      actions: {},
      close: async () => void closes++,
    };
    const local = createConnectorRegistry([failing, counting]);
    await local.close();
    await local.close();
    expect(closes).toBe(1);
    await registry.close();
  });
});
