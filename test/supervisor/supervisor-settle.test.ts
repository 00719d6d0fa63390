import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { ClaimedCall, JournalWrite, Settlement, Store } from '../../src/store/store.js';
import { Dispatcher } from '../../src/supervisor/dispatcher.js';
import type { FromWorker } from '../../src/supervisor/messages.js';
import { WorkerLink } from '../../src/supervisor/worker-link.js';
import type { Worker } from '../../src/worker/worker.js';
import { callInput, deploy, LEASE_MS } from '../store/contract/fixtures.js';

// Under `serve`, a worker process has its settlements committed by the supervisor's store (one writer on
// the hot path). Here a real WorkerLink talks to a real Dispatcher over a channel that serializes each
// message as Node's IPC does (JSON), both on real SQLite stores of one database file, as the two
// processes would.
const ipc = (message: unknown): unknown => JSON.parse(JSON.stringify(message));

const record: JournalWrite = {
  kind: 'record',
  start: {
    attempt: 1,
    stepPath: 'say',
    kind: 'action',
    target: 'util.echo',
    effect: 'none',
    workerId: 'w1',
    request: { message: 'hi' },
  },
  finish: { status: 'succeeded', output: { message: 'hi' }, error: null, response: null },
};
const done: Settlement = { status: 'succeeded', data: { message: 'hi' } };

describe('settlements committed by the supervisor', () => {
  let dir: string;
  let supervisorStore: Store;
  let workerStore: Store;
  let settledHere: string[];
  let reports: FromWorker[];
  let deliver: boolean;
  let link: WorkerLink;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-settle-'));
    const file = path.join(dir, 'switchyard.db');
    supervisorStore = createSqliteStore({ path: file });
    await supervisorStore.migrate();
    workerStore = createSqliteStore({ path: file });
    settledHere = [];
    reports = [];
    deliver = true;
    const dispatcher = new Dispatcher({
      leaseMs: LEASE_MS,
      onSettled: (callId) => settledHere.push(callId),
      settle: (...args) => supervisorStore.settle(...args),
    });
    // The worker process as the supervisor sees it: replies go to the link, when the channel delivers.
    const child = Object.assign(new EventEmitter(), {
      connected: true,
      send(message: unknown, callback?: () => void) {
        if (deliver) setImmediate(() => link.receive(ipc(message)));
        callback?.();
        return true;
      },
    }) as unknown as ChildProcess;
    link = new WorkerLink(
      (message) => {
        reports.push(message);
        if (deliver) setImmediate(() => dispatcher.receive(ipc(message), child));
      },
      () => workerStore.settle,
    );
    // The worker as its link sees it (its id and room): the calls here are run by the test itself.
    link.attach({ id: 'w1', room: 4, adopt: () => undefined, pump: () => undefined } as unknown as Worker);
  });

  afterEach(async () => {
    await workerStore.close();
    await supervisorStore.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function runningCall(): Promise<ClaimedCall> {
    const release = await deploy(supervisorStore);
    const outcome = await supervisorStore.enqueue(
      callInput(release, { claimFor: { workerId: 'w1', leaseMs: LEASE_MS } }),
    );
    if (outcome.kind !== 'created' || outcome.token === null) throw new Error('expected a claimed call');
    return { call: outcome.call, token: outcome.token };
  }

  it('commits the settlement with its journal, answers the waiters, and sends it once', async () => {
    const { call, token } = await runningCall();
    await expect(link.settle(call.id, token, done, [record])).resolves.toBe(true);
    expect(settledHere).toEqual([call.id]);
    expect(await workerStore.getCall(call.id)).toMatchObject({ status: 'succeeded', result: done.data });
    const journal = await workerStore.listJournal(call.id);
    expect(journal).toMatchObject([{ stepPath: 'say', status: 'succeeded', workerId: 'w1' }]);
    // The settlement went to the supervisor once, and nothing else reports it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(reports.flatMap((r) => r.settle.map((q) => q.callId))).toEqual([call.id]);
  });

  it('fences off a stale token: nothing is written and no waiter is answered', async () => {
    const { call, token } = await runningCall();
    await expect(link.settle(call.id, token + 1, done, [record])).resolves.toBe(false);
    expect(settledHere).toEqual([]);
    expect(await workerStore.getCall(call.id)).toMatchObject({ status: 'running', result: null });
    expect(await workerStore.listJournal(call.id)).toEqual([]);
  });

  it("rejects the worker's settle when the supervisor's store fails", async () => {
    const { call, token } = await runningCall();
    await supervisorStore.close();
    await expect(link.settle(call.id, token, done)).rejects.toThrow(/not open|closed/i);
    expect(await workerStore.getCall(call.id)).toMatchObject({ status: 'running' });
  });

  it("settles in the worker's own store once the channel closed, unanswered ones included", async () => {
    const first = await runningCall();
    const second = await runningCall();
    deliver = false;
    const pending = link.settle(first.call.id, first.token, done, [record]);
    link.close();
    await expect(pending).resolves.toBe(true);
    await expect(link.settle(second.call.id, second.token, done)).resolves.toBe(true);
    for (const { call } of [first, second])
      expect(await supervisorStore.getCall(call.id)).toMatchObject({ status: 'succeeded' });
    expect(await supervisorStore.listJournal(first.call.id)).toHaveLength(1);
    expect(settledHere).toEqual([]);
  });
});
