import { describe, expect, it } from 'vitest';
import { loadRecipe } from '../../src/recipes/load-recipe.js';
import { checkJsonSchema } from '../../src/recipes/schema.js';
import { utilRegistry } from './helpers.js';

// Two input-schema keywords beyond the strict core: SEP-2243's x-mcp-header annotation, whose
// constraints the compiler checks, and 2020-12's $anchor (SEP-2106).

function errorsOf(input: string, extra = '') {
  const source = `tool: t
description: A test recipe.
input:
${input}${extra}steps:
  - return: ok
`;
  const { recipe, errors } = loadRecipe('t.yaml', source, utilRegistry);
  return { recipe, errors: errors.map((e) => `${e.line}: ${e.message}`) };
}

describe('x-mcp-header in a recipe input', () => {
  it('is accepted on string, integer and boolean properties, nested ones included, and kept in the schema', () => {
    const { recipe, errors } = errorsOf(`  type: object
  properties:
    region: { type: string, x-mcp-header: Region }
    priority: { type: integer, x-mcp-header: X-Priority_1 }
    dry_run: { type: boolean, x-mcp-header: "dry.run~" }
    target:
      type: object
      properties:
        site: { type: string, x-mcp-header: Site }
`);
    expect(errors).toEqual([]);
    expect(recipe?.input.properties).toMatchObject({
      region: { 'x-mcp-header': 'Region' },
      target: { properties: { site: { 'x-mcp-header': 'Site' } } },
    });
  });

  it('refuses other property types, each at its line', () => {
    const { errors } = errorsOf(`  type: object
  properties:
    amount: { type: number, x-mcp-header: Amount }
    tags: { type: array, items: { type: string }, x-mcp-header: Tags }
    anything: { x-mcp-header: Anything }
    either: { type: [string, "null"], x-mcp-header: Either }
`);
    expect(errors).toEqual([
      '6: input.properties.amount.x-mcp-header: x-mcp-header is allowed only on a property of type string, integer or boolean; this one has type "number"',
      '7: input.properties.tags.x-mcp-header: x-mcp-header is allowed only on a property of type string, integer or boolean; this one has type "array"',
      '8: input.properties.anything.x-mcp-header: x-mcp-header is allowed only on a property of type string, integer or boolean; this one has type null',
      '9: input.properties.either.x-mcp-header: x-mcp-header is allowed only on a property of type string, integer or boolean; this one has type ["string","null"]',
    ]);
  });

  it('refuses names that are not HTTP header tokens', () => {
    const { errors } = errorsOf(`  type: object
  properties:
    a: { type: string, x-mcp-header: "Region Name" }
    b: { type: string, x-mcp-header: "Région" }
    c: { type: string, x-mcp-header: "" }
    d: { type: string, x-mcp-header: 42 }
    e: { type: string, x-mcp-header: "a:b" }
`);
    expect(errors).toEqual([
      expect.stringMatching(
        /^6: input\.properties\.a\.x-mcp-header: x-mcp-header "Region Name" is not a valid header name/,
      ),
      expect.stringMatching(
        /^7: input\.properties\.b\.x-mcp-header: x-mcp-header "Région" is not a valid header name/,
      ),
      '8: input.properties.c.x-mcp-header: x-mcp-header must be a header name, a non-empty string',
      '9: input.properties.d.x-mcp-header: x-mcp-header must be a header name, a non-empty string',
      expect.stringMatching(
        /^10: input\.properties\.e\.x-mcp-header: x-mcp-header "a:b" is not a valid header name/,
      ),
    ]);
  });

  it('refuses the same header name twice, ignoring case', () => {
    const { errors } = errorsOf(`  type: object
  properties:
    region: { type: string, x-mcp-header: Region }
    zone: { type: string, x-mcp-header: REGION }
`);
    expect(errors).toEqual([
      '7: input.properties.zone.x-mcp-header: x-mcp-header "REGION" is declared twice (header names ignore case): property "region" declares "Region"',
    ]);
  });

  it('refuses an annotation not reached from the root through properties alone', () => {
    const { errors } = errorsOf(`  type: object
  x-mcp-header: Root
  $defs:
    zone: { type: string, x-mcp-header: Zone }
  properties:
    list:
      type: array
      items: { type: string, x-mcp-header: Item }
    choice:
      anyOf:
        - { type: string, x-mcp-header: Choice }
`);
    const where = 'x-mcp-header is allowed only on a property reached from the top of the schema';
    expect(errors).toEqual([
      `5: input.x-mcp-header: ${where} through "properties" (not on the root, nor under items, additionalProperties, anyOf/oneOf/allOf, not, if/then/else or $defs)`,
      expect.stringMatching(new RegExp(`^7: input\\.\\$defs\\.zone\\.x-mcp-header: ${where}`)),
      expect.stringMatching(new RegExp(`^11: input\\.properties\\.list\\.items\\.x-mcp-header: ${where}`)),
      expect.stringMatching(
        new RegExp(`^14: input\\.properties\\.choice\\.anyOf\\[0\\]\\.x-mcp-header: ${where}`),
      ),
    ]);
  });

  it('ignores the key inside data keywords (const, enum, default, examples)', () => {
    const { errors } = errorsOf(`  type: object
  properties:
    options:
      type: object
      default: { x-mcp-header: not-an-annotation }
`);
    expect(errors).toEqual([]);
  });

  it('refuses it in output_schema: only arguments are mirrored', () => {
    const { errors } = errorsOf(
      `  type: object
`,
      `output_schema:
  type: object
  properties:
    region: { type: string, x-mcp-header: Region }
`,
    );
    expect(errors).toEqual([
      '8: output_schema.properties.region.x-mcp-header: x-mcp-header belongs in input: only arguments are mirrored into request headers',
    ]);
  });
});

describe('$anchor in a recipe input', () => {
  it('is accepted, referenced by its plain name, and kept in the schema', () => {
    const { recipe, errors } = errorsOf(`  type: object
  $defs:
    address:
      $anchor: addressDef
      type: object
      properties: { city: { type: string } }
  properties:
    home: { $ref: "#addressDef" }
    work: { $ref: "#/$defs/address" }
`);
    expect(errors).toEqual([]);
    expect(recipe?.input.$defs).toMatchObject({ address: { $anchor: 'addressDef' } });
  });

  it('must be a valid anchor name, and strictness holds for everything else', () => {
    expect(checkJsonSchema({ type: 'object', $defs: { a: { $anchor: '1bad' } } })).toMatch(
      /is not a valid JSON Schema 2020-12: invalid anchor "1bad"/,
    );
    expect(checkJsonSchema({ type: 'object', $anchr: 'x' })).toMatch(/unknown keyword: "\$anchr"/);
    expect(checkJsonSchema({ type: 'object', properties: { a: { $ref: '#nowhere' } } })).toMatch(
      /can't resolve reference #nowhere/,
    );
  });
});
