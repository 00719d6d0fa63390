import { CallError } from '../../core/errors.js';
import { isPlainObject, type JsonValue } from '../../core/json.js';
import type { SqlText } from './sql-text.js';

/** The name under which every statement can read its step key (`:step_key`, `$step_key`). */
export const STEP_KEY_PARAM = 'step_key';

/** Values for a statement's placeholders: `positional[i]` for index i + 1, `named[name]` by name. */
export interface BoundParams {
  positional: JsonValue[];
  named: Record<string, JsonValue>;
}

/**
 * Matches `params` (an array for positional placeholders, an object for named ones) to the placeholders
 * the statement has, and adds the step key. Values are always bound by the driver, never spliced in.
 */
export function bindParams(text: SqlText, params: JsonValue | undefined, stepKey: string): BoundParams {
  const positional = Array.isArray(params) ? params : [];
  const given = isPlainObject(params) ? (params as Record<string, JsonValue>) : {};
  if (params !== undefined && params !== null && !Array.isArray(params) && !isPlainObject(params)) {
    throw invalid('params must be an array (positional) or an object (named)');
  }
  if (Object.hasOwn(given, STEP_KEY_PARAM)) {
    throw invalid(`"${STEP_KEY_PARAM}" is reserved: it is always the step key`);
  }
  const named: Record<string, JsonValue> = { ...given, [STEP_KEY_PARAM]: stepKey };

  let needed = 0;
  for (const p of text.placeholders) {
    if (p.kind === 'positional') needed = Math.max(needed, p.index);
    else if (!Object.hasOwn(named, p.name)) {
      throw invalid(
        Array.isArray(params)
          ? `named parameter "${p.name}" needs params as an object`
          : `missing parameter "${p.name}"`,
      );
    }
  }
  if (needed > 0 && !Array.isArray(params)) throw invalid('positional parameters need params as an array');
  if (needed !== positional.length) {
    throw invalid(`the statement takes ${needed} positional parameters, ${positional.length} given`);
  }
  return { positional, named };
}

export function invalid(message: string): CallError {
  return new CallError({ code: 'SQL_INVALID', message, retrySafe: false });
}
