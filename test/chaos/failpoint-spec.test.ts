import { describe, expect, it } from 'vitest';
import { parseFailpoints } from '../../src/core/failpoints.js';

// The SWITCHYARD_FAILPOINTS grammar (src/core/failpoints.ts): a typo must fail loudly, never disable a test.
describe('SWITCHYARD_FAILPOINTS', () => {
  it('reads points, tags, actions, probabilities, counts and the two process knobs', () => {
    const spec = parseFailpoints(
      'after-action-before-journal=crash; after-claim-before-first-step/slow=stall:3000@0.5#2, clock-skew=-1500; stats=500',
    );
    expect(spec.rules).toEqual([
      {
        point: 'after-action-before-journal',
        tag: null,
        action: { kind: 'crash' },
        probability: 1,
        remaining: Infinity,
      },
      {
        point: 'after-claim-before-first-step',
        tag: 'slow',
        action: { kind: 'stall', ms: 3000 },
        probability: 0.5,
        remaining: 2,
      },
    ]);
    expect(spec.clockSkewMs).toBe(-1500);
    expect(spec.statsEveryMs).toBe(500);
  });

  it.each([
    'after-action-before-jornal=crash',
    'after-enqueue-before-answer=explode',
    'after-enqueue-before-answer=stall',
  ])('refuses %s', (entry) => expect(() => parseFailpoints(entry)).toThrow(/SWITCHYARD_FAILPOINTS/));
});
