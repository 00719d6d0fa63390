import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRecipeFolder } from '../../src/recipes/load-folder.js';
import { loadRecipe } from '../../src/recipes/load-recipe.js';
import { utilRegistry } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'descriptors-'));
  dirs.push(dir);
  for (const [name, source] of Object.entries(files)) writeFileSync(path.join(dir, name), source);
  return dir;
}

const ROOM =
  'tool: room\ndescription: a room.\ninput: { type: object }\nexpose: false\nsteps:\n  - return: 1\n';

describe('prompt and resource descriptors beside the recipes', () => {
  it('loads prompts, static resources and recipe-backed templates as one set with the recipes', async () => {
    const dir = folder({
      'room.yaml': ROOM,
      'p.yaml':
        'prompt: hello\ndescription: says hello\narguments:\n  - { name: who, required: true, values: [Ada] }\nmessages:\n  - { role: user, content: { type: text, text: "Hi ${ input.who }" } }\n',
      'r.yaml': 'resource: docs://a\nmime_type: text/plain\ntext: A\n',
      't.yaml': 'resource_template: rooms://{number}\nrecipe: room\n',
    });
    const set = await loadRecipeFolder(dir, utilRegistry);
    expect(set.errors).toEqual([]);
    expect(set.recipes.map((r) => r.recipe.tool)).toEqual(['room']);
    expect(set.descriptors?.map((d) => d.key)).toEqual([
      'prompt:hello',
      'resource:docs://a',
      'resource_template:rooms://{number}',
    ]);
    expect(set.descriptors?.[0]?.descriptor).toMatchObject({
      kind: 'prompt',
      arguments: [{ name: 'who', required: true, values: ['Ada'], description: null }],
    });
    expect(set.descriptors?.[2]?.descriptor).toMatchObject({ recipe: 'room', variables: ['number'] });
  });

  it('reports shape and cross-file errors with file and line', async () => {
    const dir = folder({
      'a.yaml': 'prompt: x\nmessages: []\n',
      'b.yaml': 'resource: docs://b\ntext: B\nblob: Qg==\n',
      'c.yaml': 'resource_template: rooms://{n}\nrecipe: missing\n',
      'd.yaml': 'resource_template: rooms://{n}/{n}\n',
      'e.yaml': 'prompt: y\ntext: t\nmessages:\n  - { role: system, content: { type: text, text: no } }\n',
    });
    const messages = (await loadRecipeFolder(dir, utilRegistry)).errors.map(
      (e) => `${path.basename(e.file)}:${e.line}: ${e.message}`,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        'a.yaml:2: messages: must NOT have fewer than 1 items',
        'c.yaml:1: recipe: "missing" names no recipe in the folder',
        'd.yaml:1: resource_template: the variable {n} appears twice',
        'e.yaml:2: text: is not allowed in this kind of file',
        'e.yaml:4: messages[0].role: must be user or assistant',
      ]),
    );
    expect(messages.some((m) => m.startsWith('b.yaml:'))).toBe(true);
  });

  it('a descriptor key declared twice is an error', async () => {
    const dir = folder({
      'a.yaml': 'resource: docs://same\ntext: A\n',
      'b.yaml': 'resource: docs://same\ntext: B\n',
    });
    const { errors } = await loadRecipeFolder(dir, utilRegistry);
    expect(errors.map((e) => e.message)).toEqual(['resource:docs://same is already declared in a.yaml']);
  });
});

describe('recipe keys for MCP: task, client_capabilities, content', () => {
  const recipe = (extra: string) =>
    `tool: t\ndescription: t.\ninput: { type: object }\nsteps:\n  - return: { png: x }\n${extra}`;

  it('compiles them, with defaults when absent', () => {
    const plain = loadRecipe('t.yaml', recipe(''), utilRegistry).recipe;
    expect(plain).toMatchObject({ task: 'optional', clientCapabilities: null, content: null });
    const full = loadRecipe(
      't.yaml',
      recipe(
        'task: required\nclient_capabilities: { sampling: {} }\ncontent:\n  - { type: image, data: "${ data.png }", mimeType: image/png }\n',
      ),
      utilRegistry,
    );
    expect(full.errors).toEqual([]);
    expect(full.recipe).toMatchObject({
      task: 'required',
      clientCapabilities: { sampling: {} },
      content: [{ type: 'image', data: '${ data.png }', mimeType: 'image/png' }],
    });
  });

  it('rejects a bad task value, a content block without a known type, and content reading steps', () => {
    const errors = (extra: string) =>
      loadRecipe('t.yaml', recipe(extra), utilRegistry).errors.map((e) => e.message);
    expect(errors('task: sometimes\n')).toEqual(['task: must be optional, required or never']);
    expect(errors('content:\n  - { type: video }\n')).toEqual([
      'content[0].type: must be text, image, audio, resource or resource_link',
    ]);
    expect(errors('content: "${ steps.x }"\n')).toEqual([
      'content: reads steps.x, but no step has the id "x"',
    ]);
  });
});
