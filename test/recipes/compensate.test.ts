import { describe, expect, it } from 'vitest';
import { loadRecipe } from '../../src/recipes/load-recipe.js';
import { dewyRegistry } from './helpers.js';

const HEAD = `tool: t
description: A test recipe.
input: { type: object }
steps:
`;

function errorsOf(steps: string): string[] {
  return loadRecipe('t.yaml', HEAD + steps, dewyRegistry).errors.map((e) => `${e.line}: ${e.message}`);
}

describe('compensate in recipes', () => {
  it('compiles an action undo and a sub-recipe undo that read the step they undo', () => {
    const { recipe, errors } = loadRecipe(
      't.yaml',
      `${HEAD}  - id: hold
    action: util.echo
    with: { room: '101' }
    compensate:
      action: util.echo
      with: { released: '\${ steps.hold.room }' }
      retry: { attempts: 3 }
  - id: charge
    call: other
    compensate: { call: refund, with: { of: '\${ steps.charge }' } }
`,
      dewyRegistry,
    );
    expect(errors).toEqual([]);
    expect(recipe?.steps[0]).toMatchObject({
      compensate: { kind: 'action', connector: 'util', action: 'echo', retry: { attempts: 3 } },
    });
    expect(recipe?.steps[1]).toMatchObject({ compensate: { kind: 'call', recipe: 'refund' } });
  });

  it('explains what is wrong with a compensation', () => {
    expect(errorsOf(`  - action: util.echo\n    compensate: { action: util.echo }\n`)).toEqual([
      '6: steps[0].compensate: a step with a compensation needs an id (its undo reads steps.<id>)',
    ]);
    expect(errorsOf(`  - id: a\n    action: util.echo\n    compensate: { action: util.nope }\n`)).toEqual([
      '7: steps[0].compensate.action: unknown action "util.nope" (no connector offers it)',
    ]);
    expect(
      errorsOf(
        `  - id: a\n    action: util.echo\n    compensate: { action: util.echo, compensate: { action: util.echo } }\n`,
      )[0],
    ).toMatch(/compensate/);
    expect(errorsOf(`  - id: a\n    return: 1\n    compensate: { action: util.echo }\n`)[0]).toMatch(
      /"compensate" does not apply to a return step/,
    );
    expect(
      errorsOf(
        `  - id: a\n    action: util.echo\n    compensate: { action: util.echo, with: { x: '\${ steps.later }' } }\n  - id: later\n    action: util.echo\n`,
      )[0],
    ).toMatch(/later/);
  });
});
