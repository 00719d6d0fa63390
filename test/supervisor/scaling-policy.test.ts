import { describe, expect, it } from 'vitest';
import { desiredWorkers, type ScalingInput } from '../../src/supervisor/scaling-policy.js';

const base: ScalingInput = {
  depth: 0,
  concurrency: 10,
  current: 1,
  min: 1,
  max: 5,
  utilization: 0.8,
  now: 100_000,
  lastUpAt: 0,
  lastDownAt: 0,
  upCooldownMs: 5_000,
  downCooldownMs: 60_000,
};

describe('desiredWorkers', () => {
  it('asks for enough workers to hold the queue at the target utilization, within min and max', () => {
    expect(desiredWorkers({ ...base, depth: 8 })).toBe(1); // 8 fit in one worker at 80% of 10
    expect(desiredWorkers({ ...base, depth: 9 })).toBe(2);
    expect(desiredWorkers({ ...base, depth: 30 })).toBe(4);
    expect(desiredWorkers({ ...base, depth: 10_000 })).toBe(5);
    expect(desiredWorkers({ ...base, depth: 0, min: 2, current: 2 })).toBe(2);
  });

  it('scales up at once, but not again within the up cooldown', () => {
    expect(desiredWorkers({ ...base, depth: 30, lastUpAt: 99_000 })).toBe(1);
    expect(desiredWorkers({ ...base, depth: 30, lastUpAt: 95_000 })).toBe(4);
  });

  it('scales down one step at a time, only after the down cooldown since any change', () => {
    const busy = { ...base, current: 4, depth: 0 };
    expect(desiredWorkers({ ...busy, lastUpAt: 50_000 })).toBe(4);
    expect(desiredWorkers({ ...busy, lastUpAt: 30_000, lastDownAt: 90_000 })).toBe(4);
    expect(desiredWorkers({ ...busy, lastUpAt: 30_000, lastDownAt: 39_000 })).toBe(3);
  });

  it('keeps the pool when it is right-sized', () => {
    expect(desiredWorkers({ ...base, current: 2, depth: 12 })).toBe(2);
  });

  it('a worker with concurrency 1 still counts as room for one call', () => {
    expect(desiredWorkers({ ...base, concurrency: 1, depth: 3 })).toBe(3);
  });
});
