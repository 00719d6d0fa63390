import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminal } from '../../src/core/call-status.js';
import type { JsonObject } from '../../src/core/json.js';
import { createWorkerHarness } from '../helpers/worker-harness.js';
import { eventually, repoRoot } from '../helpers/serve-process.js';

const recipes = path.join(repoRoot, 'test', 'fixtures', 'recipes-compensate');

describe('compensate: saga-style undo when a call fails for good', () => {
  let harness: Awaited<ReturnType<typeof createWorkerHarness>> | undefined;
  afterEach(async () => harness?.close());

  async function settle(tool: string, args: JsonObject) {
    harness = await createWorkerHarness(recipes);
    const h = harness;
    await h.startWorker('saga');
    const call = await h.enqueue(tool, args);
    return {
      h,
      call: await eventually(async () => {
        const current = await h.store.getCall(call.id);
        return current && isTerminal(current.status) ? current : null;
      }),
    };
  }

  it('runs the undos of the finished steps in reverse order, journaled, and keeps the business error', async () => {
    const { h, call } = await settle('book_room', { room: '204', fail_with: 'no payment method' });
    expect(call).toMatchObject({
      status: 'failed',
      error: {
        code: 'BOOKING_FAILED',
        message: 'could not confirm: no payment method (undone: charge, hold)',
        retrySafe: false,
        details: { compensated: ['charge', 'hold'] },
      },
    });
    const journal = await h.store.listJournal(call.id);
    expect(journal.map((e) => [e.stepPath, e.kind, e.status])).toEqual([
      ['hold', 'action', 'succeeded'],
      ['note', 'action', 'succeeded'],
      ['charge', 'action', 'succeeded'],
      ['3', 'fail', 'failed'],
      ['compensate/charge/refund', 'action', 'succeeded'],
      ['compensate/charge', 'compensate', 'succeeded'],
      ['compensate/hold', 'compensate', 'succeeded'],
    ]);
    const byPath = new Map(journal.map((e) => [e.stepPath, e]));
    expect(byPath.get('compensate/charge/refund')?.output).toEqual({ refunded: 120, room: '204' });
    expect(byPath.get('compensate/hold')?.output).toEqual({ released: '204' });
  });

  it('a call that succeeds runs no undo', async () => {
    const { h, call } = await settle('book_room', { room: '204' });
    expect(call).toMatchObject({ status: 'succeeded', result: { room: '204' } });
    const journal = await h.store.listJournal(call.id);
    expect(journal.some((e) => e.stepPath.startsWith('compensate/'))).toBe(false);
  });

  it('an undo that fails ends the call COMPENSATION_FAILED, naming it and the original error', async () => {
    const { h, call } = await settle('undo_fails', {});
    expect(call).toMatchObject({
      status: 'failed',
      error: {
        code: 'COMPENSATION_FAILED',
        retrySafe: false,
        details: { failure: { code: 'BOOKING_FAILED' }, compensated: [], failed_compensation: 'hold' },
      },
    });
    expect(call.error?.message).toMatch(
      /BOOKING_FAILED: could not confirm; then undoing step hold failed \(RELEASE_REFUSED/,
    );
    const journal = await h.store.listJournal(call.id);
    expect(journal.find((e) => e.stepPath === 'compensate/hold')).toMatchObject({
      kind: 'compensate',
      status: 'failed',
    });
  });
});
