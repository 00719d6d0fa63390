import { describe, expect, it } from 'vitest';
import { loadRecipe } from '../../src/recipes/load-recipe.js';
import { dewyRegistry } from './helpers.js';

/** A minimal valid head; tests append steps and keys after it (its 7 lines are counted below). */
const HEAD = `tool: t
description: A test recipe.
input:
  type: object
  properties:
    n: { type: integer }
`;

function load(source: string) {
  return loadRecipe('t.yaml', source, dewyRegistry);
}

function errorsOf(source: string) {
  return load(source).errors.map((e) => `${e.line}: ${e.message}`);
}

describe('loadRecipe', () => {
  it('compiles a small recipe into the Recipe model', () => {
    const { recipe, errors } = load(`${HEAD}wait: 5s
deadline: 2m
idempotency: { content: true, window: 1h }
steps:
  - id: a
    when: \${ input.n > 1 }
    action: util.echo
    with: { n: "\${ input.n }" }
    retry: { attempts: 3, backoff: { initial: 100ms } }
    timeout: 1500
    on_error:
      UPSTREAM_UNAVAILABLE: { value: { n: 0 } }
      "*": { fail: { code: ECHO_FAILED, message: "echo failed for \${ input.n }" } }
  - when: true
    return: \${ steps.a }
`);
    expect(errors).toEqual([]);
    expect(recipe).toMatchObject({
      tool: 't',
      title: null,
      expose: true,
      waitMs: 5000,
      deadlineMs: 120000,
      output: null,
    });
    expect(recipe?.idempotency).toEqual({ key: null, content: true, windowMs: 3600000 });
    expect(recipe?.steps[0]).toEqual({
      kind: 'action',
      id: 'a',
      index: 0,
      line: 11,
      when: '${ input.n > 1 }',
      connector: 'util',
      action: 'echo',
      connection: null,
      with: { n: '${ input.n }' },
      retry: { attempts: 3, backoff: { initialMs: 100, factor: 2, maxMs: 30000, jitter: 0.5 } },
      timeoutMs: 1500,
      onError: [
        { code: 'UPSTREAM_UNAVAILABLE', value: { n: 0 } },
        {
          code: '*',
          fail: {
            code: 'ECHO_FAILED',
            status: 400,
            message: 'echo failed for ${ input.n }',
            retrySafe: false,
          },
        },
      ],
      compensate: null,
    });
    expect(recipe?.steps[1]).toEqual({
      kind: 'return',
      id: null,
      index: 1,
      line: 20,
      when: '${ true }',
      value: '${ steps.a }',
    });
  });

  it('reports a YAML syntax error with its line', () => {
    const errors = load(`${HEAD}steps:
  - id: a
    action: util.echo
    with: { n: [1, 2 }
`).errors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ file: 't.yaml', line: 10 });
    expect(errors[0]?.message).toMatch(/^YAML: /);
  });

  it('reports a file that is not a mapping', () => {
    expect(errorsOf('- just\n- a list\n')).toEqual([
      '1: a recipe file must be a YAML mapping (tool, description, input, steps, …)',
    ]);
    expect(errorsOf('')).toHaveLength(1);
  });

  it('maps a schema error deep in a step to the line of the offending key', () => {
    expect(
      errorsOf(`${HEAD}steps:
  - id: a
    action: util.echo
  - id: b
    action: util.echo
    retry:
      attempts: 0
      backoff: { jitter: 2 }
`),
    ).toEqual([
      '13: steps[1].retry.attempts: must be >= 1',
      '14: steps[1].retry.backoff.jitter: must be <= 1',
    ]);
  });

  it('names unknown, missing and not-yet-supported keys', () => {
    expect(
      errorsOf(`tool: bad name!
input: { type: object }
steps:
  - id: a
    acton: util.echo
  - action: util.echo
    foreach: \${ input.items }
`),
    ).toEqual([
      '1: missing required key "description"',
      '1: tool: must be 1 to 64 letters, digits, "_" or "-"',
      '4: steps[0]: needs exactly one of action, call, return, fail or ask',
      '5: steps[0].acton: unknown key "acton"',
      '7: steps[1].foreach: "foreach" is not supported yet',
    ]);
  });

  it('rejects steps with two kinds, bad durations and bad on_error keys', () => {
    expect(
      errorsOf(`${HEAD}wait: soon
steps:
  - action: util.echo
    return: 1
  - action: util.echo
    on_error:
      not_a_code: { value: 1 }
      BOOM: { value: 1, fail: { code: X, message: m } }
`),
    ).toEqual([
      '7: wait: must be a duration such as 500ms, 50s, 2m, 24h, 7d or a number of milliseconds',
      '9: steps[0]: needs exactly one of action, call, return, fail or ask',
      '13: steps[1].on_error.not_a_code: key "not_a_code" must be an UPPER_SNAKE_CASE error code or "*"',
      '14: steps[1].on_error.BOOM: needs exactly one of fail or value',
    ]);
  });

  it('reports an unknown action and connection mistakes at their lines', () => {
    expect(
      errorsOf(`${HEAD}steps:
  - action: salesforce.qury
    connection: sf
  - action: salesforce.query
  - action: util.echo
    connection: sf
`),
    ).toEqual([
      '8: steps[0].action: unknown action "salesforce.qury" (no connector offers it)',
      '10: steps[1].action: salesforce.query needs a connection: add "connection: <name>"',
      '12: steps[2].connection: the util connector takes no connection',
    ]);
  });

  it('checks step ids, references to earlier steps, expressions and error codes', () => {
    expect(
      errorsOf(`${HEAD}steps:
  - id: a
    action: util.echo
    with:
      x: \${ steps.b.value }
  - id: b
    when: \${ steps.nope }
    action: util.echo
    with:
      y: "total: \${ steps.a.n + }"
  - id: a
    fail: { code: INTERNAL, message: "\${ steps.a.x }" }
output: \${ steps.ghost }
`),
    ).toEqual([
      '11: steps[0].with.x: reads steps.b, which has not run yet at this point',
      '13: steps[1].when: reads steps.nope, but no step has the id "nope"',
      '16: steps[1].with.y: expression "steps.a.n +" does not parse: Unexpected end of expression (at position 13)',
      '17: steps[2].id: duplicate step id "a" (first used at line 8)',
      '18: steps[2].fail.code: "INTERNAL" is a platform error code; recipes fail with their own codes (e.g. GUEST_NOT_FOUND)',
      '19: output: reads steps.ghost, but no step has the id "ghost"',
    ]);
  });

  it('requires when: to be one expression and keys to fit their step kind', () => {
    expect(
      errorsOf(`${HEAD}steps:
  - when: "\${ input.n } > \${ input.m }"
    return: 1
  - call: other
    retry: { attempts: 2 }
  - fail: { code: NOPE, message: no }
    with: { a: 1 }
`),
    ).toEqual([
      '8: steps[0].when: must be exactly one expression, ${ ... }',
      '11: steps[1].retry: "retry" does not apply to a call step',
      '13: steps[2].with: "with" does not apply to a fail step',
    ]);
    // Caught by the schema already (the published schema gives editors the same hint).
    expect(errorsOf(`${HEAD}steps:\n  - when: maybe\n    return: 2\n`)).toEqual([
      '8: steps[0].when: must be exactly one expression, ${ ... }',
    ]);
  });

  it('checks that input and output_schema compile as JSON Schema and keys hold expressions', () => {
    expect(
      errorsOf(`tool: t
description: d
input:
  type: object
  properties:
    n: { type: strin }
output_schema: { type: object, requird: [a] }
idempotency: { key: always-the-same }
`),
    ).toEqual([
      expect.stringMatching(
        /^3: input: is not a valid JSON Schema 2020-12: schema is invalid: data\/properties\/n\/type/,
      ),
      expect.stringMatching(
        /^7: output_schema: is not a valid JSON Schema 2020-12: unknown keyword: "requird"/,
      ),
      '8: idempotency.key: must contain an expression, e.g. ${ input.idempotency_token }',
    ]);
    expect(errorsOf('tool: t\ndescription: d\ninput: { type: array }\n')).toEqual([
      '3: input.type: must be "object" (tool arguments are an object)',
    ]);
  });
});

describe('YAML mistakes around expressions', () => {
  it('reports one error per line, with a hint to quote the expression', () => {
    const errors = errorsOf(`${HEAD}steps:\n  - action: util.echo\n    with: { a: \${ input.n } }\n`);
    expect(errors).toEqual([
      expect.stringMatching(
        /^9: YAML: .*\(quote a string holding \$\{ \} when it contains ": ", " #" or sits inside \{ \}\)$/,
      ),
    ]);
  });
});

describe('ask steps', () => {
  it('compiles one request (keyed by the step id) or several, with a ttl', () => {
    const { recipe, errors } = load(`${HEAD}steps:
  - id: who
    ask:
      ttl: 2m
      elicitation:
        message: "Name for \${ input.n }?"
        requested_schema: { type: object, properties: { name: { type: string } } }
  - id: more
    ask:
      requests:
        reply: { sampling: { messages: [{ role: user, content: { type: text, text: hi } }], max_tokens: 5 } }
        where: { roots: {} }
  - return: \${ steps.who.content.name }
`);
    expect(errors).toEqual([]);
    expect(recipe?.steps[0]).toMatchObject({
      kind: 'ask',
      single: true,
      ttlMs: 120_000,
      requests: [{ key: 'who', method: 'elicitation/create', message: 'Name for ${ input.n }?' }],
    });
    expect(recipe?.steps[1]).toMatchObject({
      kind: 'ask',
      single: false,
      ttlMs: 600_000,
      requests: [
        { key: 'reply', method: 'sampling/createMessage', params: { maxTokens: 5 } },
        { key: 'where', method: 'roots/list' },
      ],
    });
  });

  it('names what is wrong: two kinds of request at once', () => {
    expect(
      errorsOf(`${HEAD}steps:
  - id: a
    ask:
      roots: {}
      elicitation: { message: m, requested_schema: { type: object, properties: {} } }
`),
    ).toEqual(['9: steps[0].ask: needs exactly one of elicitation, sampling, roots or requests']);
  });

  it('names what is wrong: a schema that is no object form, a later step read, keys of other steps', () => {
    expect(
      errorsOf(`${HEAD}steps:
  - id: b
    ask:
      elicitation: { message: "\${ steps.c }", requested_schema: { type: string } }
  - id: c
    ask: { roots: {} }
    with: { x: 1 }
`),
    ).toEqual([
      '10: steps[0].ask.elicitation.requested_schema: must be an object schema with properties (elicitation forms hold primitive fields)',
      '10: steps[0].ask.elicitation.message: reads steps.c, which has not run yet at this point',
      '13: steps[1].with: "with" does not apply to an ask step',
    ]);
  });
});
