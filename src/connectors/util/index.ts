import { sleep } from '../../core/clock.js';
import { CallError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { abortError } from '../abort-error.js';
import type { Connector } from '../connector.js';

/**
 * `util`: connection-less actions for tests, benchmarks and fixture packs. None has an external effect,
 * so all are safe to repeat.
 */
export function createUtilConnector(): Connector {
  return {
    name: 'util',
    description: 'Built-in helpers without a connection: echo, sleep, fail.',
    connectionSchema: null,
    actions: {
      echo: {
        description: 'Returns its input unchanged.',
        input: { type: 'object' },
        output: { type: 'object' },
        effect: () => 'none',
        run: async (input) => ({ output: input }),
      },
      sleep: {
        description: 'Waits `ms` milliseconds (stops early when the step is aborted).',
        input: {
          type: 'object',
          required: ['ms'],
          additionalProperties: false,
          properties: { ms: { type: 'integer', minimum: 0 } },
        },
        output: { type: 'object', properties: { slept_ms: { type: 'integer' } } },
        effect: () => 'none',
        async run(input, ctx) {
          const ms = input.ms as number;
          try {
            await sleep(ms, ctx.signal);
          } catch {
            throw abortError(ctx.signal);
          }
          return { output: { slept_ms: ms } };
        },
      },
      fail: {
        description:
          'Throws the error it is given; platform codes are allowed, to simulate connector failures.',
        input: FAIL_INPUT,
        output: null,
        effect: () => 'none',
        async run(input) {
          throw new CallError({
            code: input.code as string,
            message: input.message as string,
            retrySafe: input.retry_safe as boolean,
            status: input.status as number | undefined,
            retryAfterMs: input.retry_after_ms as number | undefined,
          });
        },
      },
    },
  };
}

const FAIL_INPUT: JsonObject = {
  type: 'object',
  required: ['code', 'message', 'retry_safe'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', minLength: 1 },
    message: { type: 'string' },
    retry_safe: { type: 'boolean' },
    status: { type: 'integer', minimum: 100, maximum: 599 },
    retry_after_ms: { type: 'integer', minimum: 0 },
  },
};
