import { afterEach, beforeEach, expect } from 'vitest';
import { newCallId, sha256 } from '../../../src/core/ids.js';
import { canonicalJson, type JsonObject } from '../../../src/core/json.js';
import type { ToolError } from '../../../src/core/errors.js';
import type { ClaimedCall, EnqueueInput, Release, Store } from '../../../src/store/store.js';
import type { StoreHarness } from '../store-contract.js';

export const WORKSPACE = 'ws_main';
export const LEASE_MS = 30_000;

/** A fresh harness per test (optionally migrated), cleaned up after it. */
export function useHarness(
  make: () => Promise<StoreHarness>,
  options: { migrate: boolean },
): () => StoreHarness {
  let current: StoreHarness | undefined;
  beforeEach(async () => {
    current = await make();
    if (options.migrate) await current.store.migrate();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('the harness is only available inside a test');
    return current;
  };
}

export function deploy(
  store: Store,
  workspace = WORKSPACE,
  tools: Record<string, string> = { echo: 'tool: echo' },
): Promise<Release> {
  return store.createRelease({
    workspace,
    note: 'test deploy',
    recipes: Object.entries(tools).map(([tool, source]) => ({
      tool,
      source,
      digest: sha256(source),
      file: `${tool}.yaml`,
    })),
  });
}

export function callInput(release: Release, overrides: Partial<EnqueueInput> = {}): EnqueueInput {
  const args: JsonObject = overrides.args ?? { n: 1 };
  return {
    id: newCallId(),
    workspace: release.workspace,
    tool: 'echo',
    releaseId: release.id,
    args,
    argsHash: sha256(canonicalJson(args)),
    idempotencyKey: null,
    idempotencySource: null,
    keyTtlMs: 60_000,
    maxAttempts: 3,
    deadlineAt: null,
    ...overrides,
  };
}

/** Enqueues a fresh call and returns its id. */
export async function enqueueNew(
  store: Store,
  release: Release,
  overrides: Partial<EnqueueInput> = {},
): Promise<string> {
  const outcome = await store.enqueue(callInput(release, overrides));
  if (outcome.kind !== 'created') throw new Error(`expected a created call, got ${outcome.kind}`);
  return outcome.call.id;
}

/** Claims exactly one call. */
export async function claimOne(
  store: Store,
  workerId = 'worker_a',
  leaseMs = LEASE_MS,
): Promise<ClaimedCall> {
  const claimed = await store.claim({ workerId, limit: 1, leaseMs });
  expect(claimed).toHaveLength(1);
  return claimed[0] as ClaimedCall;
}

/** Makes a running call's lease expire now, without waiting for it. */
export async function expireLease(h: StoreHarness, callId: string): Promise<void> {
  await h.backdoor.setCallTimes(callId, { leaseExpiresAt: Date.now() - 1_000 });
}

export function toolError(code: string, retrySafe: boolean): ToolError {
  return { code, message: `${code} happened`, retrySafe };
}

/** Resolves true when `store` signals a change within `timeoutMs`, else false. */
export function changeSignal(store: Store, timeoutMs = 2_000): { fired: Promise<boolean> } {
  let unsubscribe = () => {};
  let timer: NodeJS.Timeout | undefined;
  const fired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    unsubscribe = store.onChange(() => resolve(true));
  }).finally(() => {
    clearTimeout(timer);
    unsubscribe();
  });
  return { fired };
}

/** Asserts `value` is within `slackMs` of `expected` (store clocks and test clocks may differ slightly). */
export function expectNear(value: number | null | undefined, expected: number, slackMs = 1_000): void {
  expect(value).not.toBeNull();
  expect(Math.abs((value as number) - expected)).toBeLessThanOrEqual(slackMs);
}
