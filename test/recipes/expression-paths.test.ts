import { describe, expect, it } from 'vitest';
import { compileExpression, type ExpressionScope } from '../../src/recipes/expression.js';

// Plain paths (`input.message`, `steps.said.data`) are read straight from the scope instead of through
// JSONata's evaluator. Each case here is evaluated both ways: the path as written, and the same path in
// parentheses (a block, which always goes through JSONata). They must agree, result or error.
describe('plain paths read from the scope agree with JSONata', () => {
  const scope = {
    input: {
      message: 'héllo ✓',
      count: 3,
      zero: 0,
      flag: false,
      nothing: null,
      nested: { deep: { value: 'd', list: [1, 2] } },
      items: [{ sku: 'a' }, { sku: 'b' }],
      matrix: [[1, 2], [3]],
      'odd key': { x: 1 },
      empty: {},
    },
    steps: { said: { message: 'hi', data: { ok: true } } },
    env: { REGION: 'eu' },
  } as unknown as ExpressionScope;

  const paths = [
    'input',
    'input.message',
    'input.count',
    'input.zero',
    'input.flag',
    'input.nothing',
    'input.nothing.below',
    'input.missing',
    'input.missing.below',
    'input.nested',
    'input.nested.deep.value',
    'input.nested.deep.list',
    'input.items',
    'input.items.sku',
    'input.matrix',
    'input.`odd key`.x',
    'input.empty',
    'input.message.length',
    'input.__proto__',
    'input.constructor',
    'steps.said.message',
    'steps.said.data',
    'steps.absent.message',
    'env.REGION',
  ];

  const outcome = async (source: string) => {
    try {
      return { value: await compileExpression(source).evaluate(scope) };
    } catch (error) {
      return { error: (error as Error).message.replace(`(${source})`, source) };
    }
  };

  it.each(paths)('%s', async (path) => {
    expect(await outcome(path)).toEqual(await outcome(`(${path})`));
  });
});
