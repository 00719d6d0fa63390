import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ToolError } from '../core/errors.js';
import { JsonSchemaValidator } from '../core/json-schema.js';
import type { JsonObject, JsonValue } from '../core/json.js';

/**
 * A recipe test file: `<recipes>/tests/<anything>.yaml`, beside the recipes it tests (deploys read only
 * the folder's top level, so tests never become tools). Each case gives the input, the connector
 * responses recorded for the action steps it runs (by step path; a list for a step tried several
 * times), and what the call must end with. `switchyard calls record CALL_ID` writes cases from real
 * calls' audit trails.
 */
export interface RecipeTestFile {
  file: string;
  tool: string;
  cases: RecipeTestCase[];
}

export interface RecipeTestCase {
  name: string;
  input: JsonObject;
  env: Record<string, string>;
  /** Step path → the recorded response(s) of that action step. */
  steps: Record<string, Recording[]>;
  expect: {
    data?: JsonValue;
    error?: { code: string; retry_safe?: boolean; message?: string };
    /** The action steps that ran, in order (compensations as `compensate/<path>`). */
    ran?: string[];
  };
}

export type Recording = { output: JsonValue } | { error: ToolError };

const RECORDING = {
  oneOf: [
    { type: 'object', required: ['output'], additionalProperties: false, properties: { output: {} } },
    {
      type: 'object',
      required: ['error'],
      additionalProperties: false,
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: { type: 'string' },
            message: { type: 'string' },
            retry_safe: { type: 'boolean' },
            status: { type: 'integer' },
          },
        },
      },
    },
  ],
};

const FILE_SCHEMA = {
  type: 'object',
  required: ['tool', 'cases'],
  additionalProperties: false,
  properties: {
    tool: { type: 'string', minLength: 1 },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'input', 'expect'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          input: { type: 'object' },
          env: { type: 'object', additionalProperties: { type: 'string' } },
          steps: {
            type: 'object',
            additionalProperties: { anyOf: [RECORDING, { type: 'array', minItems: 1, items: RECORDING }] },
          },
          expect: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              data: {},
              error: {
                type: 'object',
                required: ['code'],
                additionalProperties: false,
                properties: {
                  code: { type: 'string' },
                  retry_safe: { type: 'boolean' },
                  message: { type: 'string' },
                },
              },
              ran: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};

/** Reads every test file under `<recipesDir>/tests`; a file that does not parse is a problem, not a crash. */
export async function loadTestFiles(
  recipesDir: string,
): Promise<{ files: RecipeTestFile[]; problems: string[] }> {
  const dir = path.join(recipesDir, 'tests');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.')).sort();
  } catch {
    return { files: [], problems: [`no tests folder: ${dir}`] };
  }
  const validator = new JsonSchemaValidator();
  const files: RecipeTestFile[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let doc: unknown;
    try {
      doc = parseYaml(await readFile(file, 'utf8'));
    } catch (error) {
      problems.push(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    const problem = validator.check(FILE_SCHEMA, doc);
    if (problem) {
      problems.push(`${file}: ${problem}`);
      continue;
    }
    const raw = doc as {
      tool: string;
      cases: (Omit<RecipeTestCase, 'steps' | 'env'> & {
        steps?: Record<string, unknown>;
        env?: Record<string, string>;
      })[];
    };
    files.push({
      file,
      tool: raw.tool,
      cases: raw.cases.map((c) => ({
        ...c,
        env: c.env ?? {},
        steps: Object.fromEntries(
          Object.entries(c.steps ?? {}).map(([stepPath, r]) => [
            stepPath,
            (Array.isArray(r) ? r : [r]).map(toRecording),
          ]),
        ),
      })),
    });
  }
  return { files, problems };
}

function toRecording(raw: unknown): Recording {
  const r = raw as {
    output?: JsonValue;
    error?: { code: string; message: string; retry_safe?: boolean; status?: number };
  };
  if (r.error)
    return {
      error: {
        code: r.error.code,
        message: r.error.message,
        retrySafe: r.error.retry_safe ?? false,
        ...(r.error.status === undefined ? {} : { status: r.error.status }),
      },
    };
  return { output: r.output ?? null };
}
