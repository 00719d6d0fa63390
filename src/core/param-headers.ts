import { isPlainObject } from './json.js';

/**
 * SEP-2243's custom headers from tool parameters (MCP 2026-07-28). A property of a tool's input schema
 * annotated `x-mcp-header: Region` is mirrored by clients, on every tools/call that carries a value for
 * it, as the request header `Mcp-Param-Region`, so intermediaries can route on it without reading the
 * body; the server checks the header against the body. The spec's constraints on the annotation: a
 * non-empty RFC 9110 token, unique ignoring case, on a property of type string, integer or boolean,
 * reached from the schema's root through `properties` only. The recipe compiler reports every breach
 * (schema.ts), the gateway checks the headers (gateway/standard-headers.ts); both read this scan.
 */
export const X_MCP_HEADER = 'x-mcp-header';

/** The header prefix, as the spec spells it; node hands headers over lower-cased. */
export const PARAM_HEADER_PREFIX = 'Mcp-Param-';

export type ParamHeaderType = 'string' | 'integer' | 'boolean';

/** One `x-mcp-header` annotation of an input schema. */
export interface ParamHeader {
  /** The property's path from the arguments' root (`["region"]`, or deeper through nested `properties`). */
  path: readonly string[];
  /** The `{Name}` of `Mcp-Param-{Name}` as declared (header names compare ignoring case). */
  name: string;
  type: ParamHeaderType;
}

/** A breach of the annotation's constraints: where in the schema (ending at the annotation) and why. */
export interface ParamHeaderProblem {
  path: (string | number)[];
  message: string;
}

/** RFC 9110 §5.1 `token` (1*tchar): no spaces, control characters or delimiters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TYPES: ReadonlySet<string> = new Set<ParamHeaderType>(['string', 'integer', 'boolean']);
/** Keywords whose values are data, not subschemas: an `x-mcp-header` key inside them is not an annotation. */
const DATA_KEYWORDS: ReadonlySet<string> = new Set(['const', 'enum', 'default', 'examples']);

/**
 * The annotations of a schema and every breach of their constraints. The walk visits every subschema:
 * an annotation under anything but a chain of `properties` from the root (items, anyOf, if/then,
 * $defs, …) is a breach, not silently ignored, as the spec makes it an invalid tool definition.
 */
export function scanParamHeaders(schema: unknown): {
  headers: ParamHeader[];
  problems: ParamHeaderProblem[];
  /** Where every annotation stands, valid or not (paths ending at the `x-mcp-header` key). */
  locations: (string | number)[][];
} {
  const headers: ParamHeader[] = [];
  const problems: ParamHeaderProblem[] = [];
  const locations: (string | number)[][] = [];
  const byLowerName = new Map<string, ParamHeader>();

  const visit = (node: unknown, at: (string | number)[], args: string[] | null): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, [...at, index], null));
      return;
    }
    if (!isPlainObject(node)) return;
    if (X_MCP_HEADER in node) {
      locations.push([...at, X_MCP_HEADER]);
      const header = check(node, at, args, problems);
      if (header) {
        const first = byLowerName.get(header.name.toLowerCase());
        if (first)
          problems.push({
            path: [...at, X_MCP_HEADER],
            message: `${X_MCP_HEADER} "${header.name}" is declared twice (header names ignore case): property "${first.path.join('.')}" declares "${first.name}"`,
          });
        else {
          byLowerName.set(header.name.toLowerCase(), header);
          headers.push(header);
        }
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === X_MCP_HEADER || DATA_KEYWORDS.has(key)) continue;
      if (key === 'properties' && isPlainObject(value)) {
        for (const [name, child] of Object.entries(value))
          visit(child, [...at, key, name], args === null ? null : [...args, name]);
      } else visit(value, [...at, key], null);
    }
  };
  visit(schema, [], []);
  return { headers, problems, locations };
}

function check(
  node: Record<string, unknown>,
  at: (string | number)[],
  args: string[] | null,
  problems: ParamHeaderProblem[],
): ParamHeader | null {
  const path = [...at, X_MCP_HEADER];
  const raw = node[X_MCP_HEADER];
  if (args === null || args.length === 0) {
    problems.push({
      path,
      message: `${X_MCP_HEADER} is allowed only on a property reached from the top of the schema through "properties" (not on the root, nor under items, additionalProperties, anyOf/oneOf/allOf, not, if/then/else or $defs)`,
    });
    return null;
  }
  if (typeof raw !== 'string' || raw === '') {
    problems.push({ path, message: `${X_MCP_HEADER} must be a header name, a non-empty string` });
    return null;
  }
  if (!TOKEN.test(raw)) {
    problems.push({
      path,
      message: `${X_MCP_HEADER} "${raw}" is not a valid header name: letters, digits and !#$%&'*+-.^_\`|~ only (an RFC 9110 token; no spaces or delimiters)`,
    });
    return null;
  }
  const type = node.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    problems.push({
      path,
      message: `${X_MCP_HEADER} is allowed only on a property of type string, integer or boolean; this one has type ${JSON.stringify(type ?? null)}`,
    });
    return null;
  }
  return { path: args, name: raw, type: type as ParamHeaderType };
}
