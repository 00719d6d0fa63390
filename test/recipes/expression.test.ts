import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  compileTemplate,
  evaluateTemplate,
  ExpressionError,
} from '../../src/recipes/expression.js';
import { createTemplateEvaluator } from '../../src/recipes/template-evaluator.js';
import { scope } from './helpers.js';

const s = scope({
  input: { n: 3, name: 'Ada', obj: { a: 1 }, items: [{ x: 1 }, { x: 2 }], flag: true },
  steps: { booking: { records: [{ Name: 'B-1', Status__c: 'Booked' }] }, none: null },
  call: { id: 'call_1', tool: 'check_in_guest', attempt: 2, idempotency_key: 'k1' },
  env: { REGION: 'eu' },
});

describe('template rules', () => {
  it('a string that is exactly one ${ ... } keeps the JSON type of its value', async () => {
    expect(await evaluateTemplate('${ input.n }', s)).toBe(3);
    expect(await evaluateTemplate('${input.n}', s)).toBe(3);
    expect(await evaluateTemplate('${ input.obj }', s)).toEqual({ a: 1 });
    expect(await evaluateTemplate('${ input.flag }', s)).toBe(true);
    expect(await evaluateTemplate('${ [1, 2] }', s)).toEqual([1, 2]);
    expect(await evaluateTemplate('${ {"a": input.n, "b": "}"} }', s)).toEqual({ a: 3, b: '}' });
    expect(await evaluateTemplate('${ "a\\"}" & /* } */ `input`.name }!', s)).toBe('a"}Ada!');
  });

  it('${ ... } inside other text is a template joined as text', async () => {
    expect(await evaluateTemplate('n=${ input.n }, name=${input.name}', s)).toBe('n=3, name=Ada');
    expect(await evaluateTemplate('obj=${ input.obj } items=${ input.items.x }', s)).toBe(
      'obj={"a":1} items=[1,2]',
    );
    expect(await evaluateTemplate('missing=[${ input.nope }] flag=${ input.flag }', s)).toBe(
      'missing=[] flag=true',
    );
    expect(await evaluateTemplate(' ${ input.n }', s)).toBe(' 3');
  });

  it('$${ is a literal ${', async () => {
    expect(await evaluateTemplate('$${ input.n }', s)).toBe('${ input.n }');
    expect(await evaluateTemplate('cost: $${x} and ${ input.n }', s)).toBe('cost: ${x} and 3');
    expect(await evaluateTemplate('plain $ and { }', s)).toBe('plain $ and { }');
  });

  it('an undefined result is null', async () => {
    expect(await evaluateTemplate('${ input.nope }', s)).toBeNull();
    expect(await evaluateTemplate({ a: '${ input.nope }', b: ['${ steps.none.x }'] }, s)).toEqual({
      a: null,
      b: [null],
    });
  });

  it('walks objects and arrays; object keys and non-strings stay as written', async () => {
    const template = {
      '${ input.n }': [{ deep: '${ input.name }' }, 'lit', 5, null, false],
      n: { m: 'x${ input.n }' },
    };
    expect(await evaluateTemplate(template, s)).toEqual({
      '${ input.n }': [{ deep: 'Ada' }, 'lit', 5, null, false],
      n: { m: 'x3' },
    });
  });

  it('returns plain JSON: sequences become arrays, missing object values drop their key', async () => {
    const items = await evaluateTemplate('${ input.items.x }', s);
    expect(items).toEqual([1, 2]);
    expect(Object.keys(items as object)).toEqual(['0', '1']);
    expect(await evaluateTemplate('${ {"a": input.nope, "b": 1} }', s)).toEqual({ b: 1 });
  });

  it('exposes input, steps, call and env as paths and as variables', async () => {
    expect(await evaluateTemplate('${ steps.booking.records[0].Name }', s)).toBe('B-1');
    expect(await evaluateTemplate('${ $count(steps.booking.records) = 0 }', s)).toBe(false);
    expect(
      await evaluateTemplate('${ call.id }/${ call.attempt }/${ call.idempotency_key }/${ env.REGION }', s),
    ).toBe('call_1/2/k1/eu');
    expect(await evaluateTemplate('${ input.items[x = $input.n - 1].x }', s)).toBe(2);
  });

  it('does not expose the prototype chain or $eval', async () => {
    expect(await evaluateTemplate('${ input.constructor }', s)).toBeNull();
    await expect(evaluateTemplate('${ $eval("1 + 1") }', s)).rejects.toThrow(/\$eval is not allowed/);
  });
});

describe('errors', () => {
  it('a syntax error names the expression and its position at compile time', () => {
    let caught: unknown;
    try {
      compileTemplate({ with: { a: ['${ input.n + }'] } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ExpressionError);
    const error = caught as ExpressionError;
    expect(error.expression).toBe(' input.n + ');
    expect(error.position).toBeTypeOf('number');
    expect(error.path).toEqual(['with', 'a', 0]);
    expect(error.message).toMatch(/expression "input.n \+" does not parse: .* \(at position \d+\)/);
  });

  it('an unterminated or empty ${ is an error', () => {
    expect(() => compileTemplate('hello ${ input.n')).toThrow(/"\$\{" has no closing "\}"/);
    expect(() => compileTemplate('${   }')).toThrow(/empty expression/);
  });

  it('an evaluation error names the expression and position', async () => {
    const failure = evaluateTemplate('${ $notAFunction(1) }', s);
    await expect(failure).rejects.toBeInstanceOf(ExpressionError);
    await expect(failure).rejects.toThrow(/expression "\$notAFunction\(1\)" failed: .* \(at position \d+\)/);
  });

  it('a function is not a value', async () => {
    await expect(evaluateTemplate('${ $uppercase }', s)).rejects.toThrow(/gave a function/);
  });

  it('an endless loop stops at the time limit', async () => {
    const started = Date.now();
    const loop = evaluateTemplate('${ ($f := function($x){ $f($x) }; $f(1)) }', s, {
      timeoutMs: 100,
      maxDepth: 10_000,
    });
    await expect(loop).rejects.toThrow(/ran past its time limit of 100 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('runaway recursion stops at the depth limit', async () => {
    const deep = evaluateTemplate('${ ($f := function($x){ 1 + $f($x) }; $f(1)) }', s, {
      timeoutMs: 10_000,
      maxDepth: 50,
    });
    await expect(deep).rejects.toThrow(/deeper than its depth limit of 50/);
  });

  it('ordinary expressions fit well within the default limits', async () => {
    const sum = '${ $sum($map([1..1000], function($v){ $v * 2 })) }';
    expect(await evaluateTemplate(sum, s)).toBe(1001000);
  });
});

describe('static information', () => {
  it('lists the step ids an expression reads', () => {
    expect(compileExpression('steps.a.x + $steps.b.y & "steps.c" & input.steps.d').stepRefs).toEqual([
      'a',
      'b',
    ]);
    expect(compileExpression('input.items[steps.z = 1]').stepRefs).toEqual([]);
    expect(compileExpression('$count(steps.booking.records[Status__c = "x"])').stepRefs).toEqual(['booking']);
  });

  it('lists every expression of a template with its path', () => {
    const compiled = compileTemplate({ a: '${ input.n }', b: ['x ${ steps.s.v } ${ env.E }'] });
    expect(compiled.expressions.map((e) => [e.path, e.expression.source.trim()])).toEqual([
      [['a'], 'input.n'],
      [['b', 0], 'steps.s.v'],
      [['b', 0], 'env.E'],
    ]);
  });
});

describe('template evaluator', () => {
  const evaluator = createTemplateEvaluator({ timeoutMs: 1000, maxDepth: 200 });

  it('evaluates values and when: conditions with JSONata truthiness', async () => {
    expect(await evaluator.value({ greeting: 'hi ${ input.name }' }, s)).toEqual({ greeting: 'hi Ada' });
    expect(await evaluator.test('${ $count(steps.booking.records) = 1 }', s)).toBe(true);
    expect(await evaluator.test('${ steps.none }', s)).toBe(false);
    expect(await evaluator.test('${ input.items }', s)).toBe(true);
    expect(await evaluator.test('${ "" }', s)).toBe(false);
    expect(await evaluator.test('${ {} }', s)).toBe(false);
  });

  it('gives each evaluation fresh objects', async () => {
    const template = { nested: { list: [1, '${ input.n }'] } };
    const first = (await evaluator.value(template, s)) as { nested: { list: unknown[] } };
    first.nested.list.push('mutated');
    expect(await evaluator.value(template, s)).toEqual({ nested: { list: [1, 3] } });
  });
});
