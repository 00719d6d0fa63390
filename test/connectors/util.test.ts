import { describe, expect, it } from 'vitest';
import { CallError } from '../../src/core/errors.js';
import { createUtilConnector } from '../../src/connectors/util/index.js';
import { actionContext, effectOf, expectCallError, runAction } from './helpers.js';

const util = createUtilConnector();

describe('util connector', () => {
  it('echo returns its input, with no effect', async () => {
    const input = { message: 'hi', nested: { n: 1, list: [true, null] } };
    const result = await runAction(util, 'echo', input, actionContext(null));
    expect(result.output).toEqual(input);
    expect(effectOf(util, 'echo', input)).toBe('none');
  });

  it('sleep waits and reports how long', async () => {
    const result = await runAction(util, 'sleep', { ms: 5 }, actionContext(null));
    expect(result.output).toEqual({ slept_ms: 5 });
    expect(effectOf(util, 'sleep', { ms: 5 })).toBe('none');
  });

  it('sleep stops when the step is aborted, with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new CallError({ code: 'STEP_TIMEOUT', message: 'step timed out', retrySafe: true });
    const sleeping = runAction(
      util,
      'sleep',
      { ms: 60_000 },
      actionContext(null, { signal: controller.signal }),
    );
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
  });

  it('sleep turns a foreign abort reason into CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectCallError(
      runAction(util, 'sleep', { ms: 60_000 }, actionContext(null, { signal: controller.signal })),
      {
        code: 'CANCELLED',
        retrySafe: false,
      },
    );
  });

  it('fail throws the CallError it describes', async () => {
    const input = {
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      message: 'the upstream is down',
      retry_safe: true,
      retry_after_ms: 250,
    };
    await expectCallError(runAction(util, 'fail', input, actionContext(null)), {
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      message: 'the upstream is down',
      retrySafe: true,
      retryAfterMs: 250,
    });
    expect(effectOf(util, 'fail', input)).toBe('none');
  });
});
