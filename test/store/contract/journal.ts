import { expect, it } from 'vitest';
import type { StepStart } from '../../../src/store/store.js';
import type { StoreHarness } from '../store-contract.js';
import { claimOne, deploy, enqueueNew, toolError } from './fixtures.js';

function stepAt(stepPath: string, overrides: Partial<StepStart> = {}): StepStart {
  return {
    attempt: 1,
    stepPath,
    kind: 'action',
    target: 'util.echo',
    effect: 'none',
    workerId: 'worker_a',
    request: { sent: stepPath },
    ...overrides,
  };
}

export function journalContract(harness: () => StoreHarness): void {
  it('records steps from start to finish, in order', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const { token } = await claimOne(store);
    const guest = (await store.startStep(
      id,
      token,
      stepAt('guest', { kind: 'call', target: 'search_contact', effect: 'none' }),
    )) as number;
    const booking = (await store.startStep(id, token, stepAt('guest/1', { effect: 'keyed' }))) as number;
    expect(booking).toBeGreaterThan(guest);
    expect(
      await store.finishStep(id, token, booking, {
        status: 'succeeded',
        output: { id: 'B-1' },
        error: null,
        response: { status: 200 },
      }),
    ).toBe(true);
    const charge = (await store.startStep(
      id,
      token,
      stepAt('charge', { effect: 'unsafe', target: 'stripe.charge' }),
    )) as number;
    expect(
      await store.finishStep(id, token, charge, {
        status: 'failed',
        output: null,
        error: toolError('CARD_DECLINED', false),
        response: { status: 402 },
      }),
    ).toBe(true);
    const skipped = (await store.startStep(id, token, stepAt('notify'))) as number;
    expect(
      await store.finishStep(id, token, skipped, {
        status: 'skipped',
        output: null,
        error: null,
        response: null,
      }),
    ).toBe(true);

    const journal = await store.listJournal(id);
    expect(journal.map((e) => [e.stepPath, e.status])).toEqual([
      ['guest', 'started'],
      ['guest/1', 'succeeded'],
      ['charge', 'failed'],
      ['notify', 'skipped'],
    ]);
    expect(journal[0]).toMatchObject({
      id: guest,
      callId: id,
      attempt: 1,
      kind: 'call',
      target: 'search_contact',
      effect: 'none',
      workerId: 'worker_a',
      leaseToken: token,
      request: { sent: 'guest' },
      finishedAt: null,
    });
    expect(journal[1]).toMatchObject({
      effect: 'keyed',
      output: { id: 'B-1' },
      response: { status: 200 },
      error: null,
    });
    expect(journal[2]).toMatchObject({
      effect: 'unsafe',
      output: null,
      error: { code: 'CARD_DECLINED' },
      response: { status: 402 },
    });
    for (const entry of journal.slice(1)) expect(entry.finishedAt).toBeGreaterThanOrEqual(entry.startedAt);
  });

  it('finishes an entry only once, and only for its own call', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const other = await enqueueNew(store, release);
    const mine = await claimOne(store);
    const theirs = await claimOne(store);
    const entry = (await store.startStep(id, mine.token, stepAt('a'))) as number;
    const done = { status: 'succeeded', output: 1, error: null, response: null } as const;
    expect(await store.finishStep(other, theirs.token, entry, done)).toBe(false);
    expect(await store.finishStep(id, mine.token, entry, done)).toBe(true);
    expect(await store.finishStep(id, mine.token, entry, { ...done, output: 2 })).toBe(false);
    expect((await store.listJournal(id))[0]?.output).toBe(1);
    expect(await store.listJournal(other)).toEqual([]);
  });

  it('keeps the journal across attempts, and refuses writes once the call settled', async () => {
    const { store } = harness();
    const release = await deploy(store);
    const id = await enqueueNew(store, release);
    const first = await claimOne(store);
    await store.startStep(id, first.token, stepAt('a'));
    await store.release(id, first.token);
    const second = await claimOne(store, 'worker_b');
    await store.startStep(id, second.token, stepAt('b', { attempt: 2, workerId: 'worker_b' }));
    await store.settle(id, second.token, { status: 'succeeded', data: null });
    expect(await store.startStep(id, second.token, stepAt('c'))).toBeNull();
    const journal = await store.listJournal(id);
    expect(journal.map((e) => [e.stepPath, e.attempt, e.leaseToken, e.workerId])).toEqual([
      ['a', 1, first.token, 'worker_a'],
      ['b', 2, second.token, 'worker_b'],
    ]);
  });
}
