import { CallError } from '../core/errors.js';
import { JsonSchemaValidator } from '../core/json-schema.js';
import type { JsonObject } from '../core/json.js';
import type { ResolvedConnection } from './connector.js';

let validator: JsonSchemaValidator | undefined;

/**
 * Builds the reader a connector uses to turn `ctx.connection` into its typed config: checked against the
 * connector's `connectionSchema`, then normalised by `resolve` (which throws a string-message Error for
 * problems the schema cannot express). Results are cached per config object, so the check runs once per
 * connection rather than once per step.
 */
export function createConnectionReader<T>(
  connector: string,
  schema: JsonObject,
  resolve: (config: JsonObject) => T,
): (connection: ResolvedConnection | null) => T {
  const cache = new WeakMap<JsonObject, T>();
  return (connection) => {
    if (!connection) throw invalid(`${connector} actions need a connection`);
    const cached = cache.get(connection.config);
    if (cached !== undefined) return cached;
    validator ??= new JsonSchemaValidator();
    const problem = validator.check(schema, connection.config);
    if (problem) throw invalid(`connection "${connection.name}": ${problem}`);
    let resolved: T;
    try {
      resolved = resolve(connection.config);
    } catch (error) {
      throw invalid(
        `connection "${connection.name}": ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    cache.set(connection.config, resolved);
    return resolved;
  };
}

function invalid(message: string): CallError {
  return new CallError({ code: 'CONNECTION_INVALID', message, retrySafe: false });
}
