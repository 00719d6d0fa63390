import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkJsonSchema, checkRecipeShape, RECIPE_SCHEMA } from '../../src/recipes/schema.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('the published recipe schema', () => {
  it('is a JSON Schema 2020-12 that plain ajv compiles (editors use it without our extensions)', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(
      JSON.parse(readFileSync(path.join(root, 'schema', 'recipe.schema.json'), 'utf8')) as object,
    );
    const example = parse(
      readFileSync(path.join(root, 'test', 'fixtures', 'recipes-dewy', 'check_in_guest.yaml'), 'utf8'),
    ) as unknown;
    expect(validate(example)).toBe(true);
  });

  it('describes every recipe key of DESIGN.md', () => {
    const keys = Object.keys(RECIPE_SCHEMA.properties as object);
    for (const key of [
      'tool',
      'title',
      'description',
      'annotations',
      'input',
      'output_schema',
      'idempotency',
      'expose',
      'wait',
      'deadline',
      'steps',
      'output',
    ]) {
      expect(keys).toContain(key);
    }
  });

  it('lets a step have exactly one kind', () => {
    const base = { tool: 't', description: 'd', input: { type: 'object' } };
    expect(checkRecipeShape({ ...base, steps: [{ return: null }] })).toEqual([]);
    expect(checkRecipeShape({ ...base, steps: [{ id: 'x' }] })).toEqual([
      { path: ['steps', 0], message: 'needs exactly one of action, call, return, fail or ask' },
    ]);
    expect(checkRecipeShape({ ...base, steps: ['util.echo'] })).toEqual([
      { path: ['steps', 0], message: 'must be object' },
    ]);
  });

  it('checks input schemas strictly: misspelt keywords and unknown formats are errors', () => {
    expect(
      checkJsonSchema({ type: 'object', properties: { e: { type: 'string', format: 'email' } } }),
    ).toBeNull();
    expect(
      checkJsonSchema({ type: 'object', properties: { e: { type: 'string', format: 'emial' } } }),
    ).toMatch(/unknown format "emial"/);
    expect(checkJsonSchema({ type: 'object', requird: ['e'] })).toMatch(/unknown keyword: "requird"/);
  });
});
