import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import { scanParamHeaders, X_MCP_HEADER } from '../core/param-headers.js';
import type { DocPath } from './doc-path.js';

/** The published JSON Schema of recipe files (`schema/recipe.schema.json`, also used by editors). */
export const RECIPE_SCHEMA = publishedSchema('recipe.schema.json');

/** The published JSON Schema of prompt and resource descriptor files (`schema/descriptor.schema.json`). */
export const DESCRIPTOR_SCHEMA = publishedSchema('descriptor.schema.json');

function publishedSchema(name: string): JsonObject {
  return JSON.parse(readFileSync(new URL(`../../schema/${name}`, import.meta.url), 'utf8')) as JsonObject;
}

/** A recipe file as the schema guarantees it (snake_case, durations unparsed). */
export interface RecipeDocument {
  tool: string;
  title?: string;
  description: string;
  annotations?: JsonObject;
  input: JsonObject;
  output_schema?: JsonObject;
  idempotency?: { key?: string; content?: true; window?: string | number };
  expose?: boolean;
  wait?: string | number;
  deadline?: string | number;
  concurrency?: number;
  steps?: StepDocument[];
  output?: JsonValue;
  task?: 'optional' | 'required' | 'never';
  client_capabilities?: JsonObject;
  content?: JsonValue;
}

export interface FailDocument {
  code: string;
  status?: number;
  message: string;
  retry_safe?: boolean;
}

export interface StepDocument {
  id?: string;
  when?: string | boolean;
  action?: string;
  connection?: string;
  call?: string;
  with?: JsonObject | string;
  return?: JsonValue;
  fail?: FailDocument;
  retry?: {
    attempts: number;
    backoff?: { initial?: string | number; factor?: number; max?: string | number; jitter?: number };
  };
  timeout?: string | number;
  on_error?: Record<string, { fail?: FailDocument; value?: JsonValue }>;
  compensate?: StepDocument;
  ask?: AskDocument;
}

/** One input request of an `ask` step. */
export interface InputRequestDocument {
  elicitation?: { message: string; requested_schema: JsonObject };
  sampling?: {
    messages: JsonValue;
    max_tokens: number | string;
    system_prompt?: string;
    temperature?: number | string;
  };
  roots?: Record<string, never>;
}

export interface AskDocument extends InputRequestDocument {
  requests?: Record<string, InputRequestDocument>;
  ttl?: string | number;
}

/** One schema violation: where (for the line lookup) and a sentence saying what is wrong. */
export interface ShapeProblem {
  path: DocPath;
  message: string;
}

/** Keys DESIGN.md names that this build does not run yet: say so rather than "unknown key". */
const NOT_YET = new Set(['foreach']);

const recipeAjv = new Ajv2020({
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
});
recipeAjv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
const validateRecipe: ValidateFunction = recipeAjv.compile(RECIPE_SCHEMA);
const validateDescriptor: ValidateFunction = recipeAjv.compile(DESCRIPTOR_SCHEMA);

// Strict on purpose: a misspelt keyword or format in `input` would otherwise be ignored silently.
const userAjv = new Ajv2020({
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  formats: fullFormats,
});
// 2020-12's core keyword (SEP-2106): ajv resolves `#name` references to an `$anchor` and refuses a
// malformed one ("invalid anchor"), but leaves the keyword out of its strict list.
userAjv.addKeyword({ keyword: '$anchor' });
// SEP-2243's annotation; scanParamHeaders checks where it stands and what it holds.
userAjv.addKeyword({ keyword: X_MCP_HEADER });

/** Checks a parsed recipe file against the published schema; returns every problem found. */
export function checkRecipeShape(data: unknown): ShapeProblem[] {
  return checkShape(validateRecipe, data);
}

/** Checks a parsed prompt or resource descriptor file against its published schema. */
export function checkDescriptorShape(data: unknown): ShapeProblem[] {
  return checkShape(validateDescriptor, data);
}

function checkShape(validate: ValidateFunction, data: unknown): ShapeProblem[] {
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  // A node of the wrong type fails its other keywords too; its type error says it all.
  const mistyped = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const seen = new Set<string>();
  const problems: ShapeProblem[] = [];
  for (const error of errors) {
    if (/\/(oneOf|anyOf)\/\d+\//.test(error.schemaPath) || error.keyword === 'propertyNames') continue;
    if (error.keyword !== 'type' && mistyped.has(error.instancePath)) continue;
    const problem = describe(error);
    const key = `${problem.path.join('/')}\n${problem.message}`;
    if (!seen.has(key)) problems.push(problem);
    seen.add(key);
  }
  return problems;
}

/** Null when `schema` compiles as JSON Schema 2020-12; else why not. */
export function checkJsonSchema(schema: JsonObject): string | null {
  try {
    userAjv.compile(schema);
    return null;
  } catch (error) {
    return `is not a valid JSON Schema 2020-12: ${(error as Error).message.replace(/^strict mode: /, '')}`;
  }
}

/**
 * The `x-mcp-header` annotations of a tool's input schema that break SEP-2243's constraints (see
 * core/param-headers.ts), each at its place under the schema; `asInput` false (an output schema)
 * refuses every annotation, as only arguments are mirrored into headers.
 */
export function checkParamHeaderAnnotations(schema: JsonObject, asInput: boolean): ShapeProblem[] {
  const { problems, locations } = scanParamHeaders(schema);
  if (asInput) return problems;
  return locations.map((path) => ({
    path,
    message: `${X_MCP_HEADER} belongs in input: only arguments are mirrored into request headers`,
  }));
}

function describe(error: ErrorObject): ShapeProblem {
  const path = error.instancePath.split('/').slice(1).map(decodeSegment);
  const params = error.params as Record<string, unknown>;
  const custom = (error.parentSchema as { 'x-message'?: string } | undefined)?.['x-message'];
  switch (error.keyword) {
    case 'required':
      return { path, message: `missing required key "${String(params.missingProperty)}"` };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return {
        path: [...path, key],
        message: NOT_YET.has(key) ? `"${key}" is not supported yet` : `unknown key "${key}"`,
      };
    }
    case 'dependentRequired':
      return {
        path: [...path, String(params.property)],
        message: `"${String(params.property)}" needs "${String(params.missingProperty)}"`,
      };
    case 'type':
      return { path, message: `must be ${String(params.type).replace(',', ' or ')}` };
    case 'false schema':
      return { path, message: 'is not allowed in this kind of file' };
    case 'const':
      return { path, message: custom ?? `must be ${JSON.stringify(params.allowedValue)}` };
    case 'enum':
      return { path, message: custom ?? `must be one of ${JSON.stringify(params.allowedValues)}` };
    default: {
      const key = typeof error.propertyName === 'string' ? [error.propertyName] : [];
      const value = key.length ? `key "${key[0]}" ` : '';
      return { path: [...path, ...key], message: `${value}${custom ?? error.message ?? 'is invalid'}` };
    }
  }
}

function decodeSegment(segment: string): string | number {
  const text = segment.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(text) ? Number(text) : text;
}
