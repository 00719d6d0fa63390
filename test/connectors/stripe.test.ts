import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourFor } from '../../sandbox/src/shared/behaviour.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/src/shared/credentials.js';
import type { EmulatorServer } from '../../sandbox/src/shared/http.js';
import type { Effect } from '../../sandbox/src/shared/ledger.js';
import { startStripeEmulator } from '../../sandbox/src/stripe/index.js';
import { CallError } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/json.js';
import type { ActionContext, ResolvedConnection } from '../../src/connectors/connector.js';
import { createStripeConnector } from '../../src/connectors/stripe/index.js';
import { stripeFailure } from '../../src/connectors/stripe/errors.js';
import { actionContext, effectOf, expectCallError, ledgerOf, recordingRunner } from './helpers.js';

const SECRET_KEY = SANDBOX_CREDENTIALS.stripe.secretKey;
const connector = createStripeConnector();
let emulator: EmulatorServer;
let dir: string;
let stepCounter = 0;
/** Everything the actions returned or threw, scanned for the secret key at the end. */
const seen: unknown[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stripe-connector-'));
  emulator = await startStripeEmulator({
    port: 0,
    stateFile: path.join(dir, 'stripe.sqlite'),
    behaviour: behaviourFor('stripe', 'fast'),
  });
});

afterAll(async () => {
  await connector.close?.();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

function connection(config: JsonObject = {}, secrets: Record<string, string> = {}): ResolvedConnection {
  return {
    name: 'dewy_stripe',
    connector: 'stripe',
    config: { base_url: emulator.url, allow_hosts: ['127.0.0.1'], timeout: 5000, ...config },
    secrets: { secret_key: SECRET_KEY, ...secrets },
  };
}

const conn = () => connection();
/** A context with a step key of its own, unless one is given (a retried step reuses its key). */
function ctx(overrides: Partial<ActionContext> = {}, using: ResolvedConnection = conn()): ActionContext {
  return actionContext(using, { stepKey: `call_stripe:step-${++stepCounter}`, ...overrides });
}

const recorded = recordingRunner(connector, seen);
const run = (name: string, input: JsonObject, context: ActionContext = ctx()) =>
  recorded(name, input, context);

const output = async (name: string, input: JsonObject, context?: ActionContext) =>
  (await run(name, input, context)).output as Record<string, unknown>;

const ledger = () => ledgerOf<Effect>(emulator.url);

async function setFaults(faults: Record<string, number>, latencyMs?: [number, number]): Promise<void> {
  await fetch(`${emulator.url}/_sandbox/behaviour`, {
    method: 'PUT',
    body: JSON.stringify({ faults, ...(latencyMs ? { latencyMs } : {}) }),
  });
}

describe('stripe connector: actions', () => {
  it('declares its effects: reads none, writes keyed', () => {
    for (const name of ['find_customer_by_email', 'retrieve_payment_intent', 'payment_status']) {
      expect(effectOf(connector, name, {})).toBe('none');
    }
    for (const name of [
      'create_customer',
      'create_payment_intent',
      'confirm_payment_intent',
      'create_refund',
    ]) {
      expect(effectOf(connector, name, {})).toBe('keyed');
    }
    expect(connector.secretFields?.map((f) => f.name)).toEqual(['secret_key']);
  });

  it('finds a customer by email, or says there is none', async () => {
    const found = await output('find_customer_by_email', { email: 'maya.okafor@example.com' });
    expect(found).toEqual({
      found: true,
      customer: {
        id: 'cus_DewyGuest00001',
        email: 'maya.okafor@example.com',
        name: 'Maya Okafor',
        metadata: { guest_id: 'G-1001' },
      },
    });
    expect(await output('find_customer_by_email', { email: 'nobody@example.com' })).toEqual({
      found: false,
      customer: null,
    });
  });

  it('creates a customer once however often the step runs', async () => {
    const step = ctx();
    const input = { email: 'nia@example.com', name: 'Nia Park', metadata: { guest_id: 'G-2001' } };
    const first = await output('create_customer', input, step);
    const again = await output('create_customer', input, step);
    expect(again).toEqual(first);
    expect(first).toMatchObject({
      email: 'nia@example.com',
      name: 'Nia Park',
      metadata: { guest_id: 'G-2001' },
    });
    const effects = (await ledger()).filter((e) => e.idempotencyKey === step.stepKey);
    expect(effects.map((e) => e.operation)).toEqual(['customers.create']);
  });

  it('charges with create_payment_intent (confirm) once per step key, and reports the payment', async () => {
    const step = ctx();
    const input = {
      amount: 25_000,
      currency: 'usd',
      customer: 'cus_DewyGuest00001',
      description: 'Room 204, 2 nights',
      metadata: { booking: 'B-77' },
      payment_method: 'pm_card_visa',
      confirm: true,
    };
    const result = await run('create_payment_intent', input, step);
    const pi = result.output as Record<string, unknown>;
    expect(pi).toMatchObject({
      status: 'succeeded',
      amount: 25_000,
      amount_received: 25_000,
      currency: 'usd',
      customer: 'cus_DewyGuest00001',
      metadata: { booking: 'B-77' },
      last_payment_error: null,
    });
    expect(pi.latest_charge).toMatch(/^ch_/);
    expect(result.request).toMatchObject({ action: 'create_payment_intent', idempotency_key: step.stepKey });
    expect(result.response).toMatchObject({ request_id: expect.stringMatching(/^req_/) });

    expect(await output('create_payment_intent', input, step)).toEqual(pi);
    const effects = (await ledger()).filter((e) => e.idempotencyKey === step.stepKey);
    expect(effects.filter((e) => e.operation === 'payment_intents.create')).toHaveLength(1);

    expect(await output('retrieve_payment_intent', { id: pi.id as string })).toEqual(pi);
    expect(await output('payment_status', { payment_intent: pi.id as string })).toMatchObject({
      payment_intent: pi.id,
      status: 'succeeded',
      paid: true,
      refunded: false,
      amount_refunded: 0,
    });
  });

  it('confirms a payment intent created without a payment method', async () => {
    const created = await output('create_payment_intent', { amount: 5_000, currency: 'usd' });
    expect(created.status).toBe('requires_payment_method');
    const confirmed = await output('confirm_payment_intent', {
      id: created.id as string,
      payment_method: 'pm_card_mastercard',
    });
    expect(confirmed).toMatchObject({ id: created.id, status: 'succeeded', amount_received: 5_000 });
  });

  it('refunds once per step key, in part or in full', async () => {
    const pi = await output('create_payment_intent', {
      amount: 10_000,
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: true,
    });
    const step = ctx();
    const part = await output('create_refund', { payment_intent: pi.id as string, amount: 4_000 }, step);
    expect(part).toMatchObject({
      status: 'succeeded',
      amount: 4_000,
      currency: 'usd',
      payment_intent: pi.id,
    });
    expect(await output('create_refund', { payment_intent: pi.id as string, amount: 4_000 }, step)).toEqual(
      part,
    );
    expect(await output('payment_status', { payment_intent: pi.id as string })).toMatchObject({
      amount_refunded: 4_000,
      refunded: false,
    });
    await output('create_refund', { payment_intent: pi.id as string });
    expect(await output('payment_status', { payment_intent: pi.id as string })).toMatchObject({
      amount_refunded: 10_000,
      refunded: true,
    });
    const refunds = (await ledger()).filter((e) => e.operation.startsWith('refunds.') && e.target !== null);
    expect(refunds.filter((e) => e.idempotencyKey === step.stepKey)).toHaveLength(1);
  });

  it('sends a recipe-provided idempotency_key instead of the step key', async () => {
    const key = `booking-B-78-deposit-${Date.now()}`;
    const a = await output('create_payment_intent', { amount: 900, currency: 'eur', idempotency_key: key });
    const b = await output('create_payment_intent', { amount: 900, currency: 'eur', idempotency_key: key });
    expect(b.id).toBe(a.id);
    expect((await ledger()).filter((e) => e.idempotencyKey === key)).toHaveLength(1);
  });
});

describe('stripe connector: errors', () => {
  it('maps a card decline to CARD_DECLINED (402, final) with Stripe’s codes', async () => {
    const error = await expectCallError(
      run('create_payment_intent', {
        amount: 3_000,
        currency: 'usd',
        payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
        confirm: true,
      }),
      { code: 'CARD_DECLINED', status: 402, retrySafe: false },
    );
    expect(error.message).toMatch(/card_declined: Your card has insufficient funds/);
    expect(error.details).toMatchObject({
      stripe_code: 'card_declined',
      decline_code: 'insufficient_funds',
      payment_intent: expect.stringMatching(/^pi_/),
    });
  });

  it('maps a key reused with other parameters to IDEMPOTENCY_KEY_REUSED (final)', async () => {
    const step = ctx();
    await run('create_payment_intent', { amount: 1_000, currency: 'usd' }, step);
    const error = await expectCallError(
      run('create_payment_intent', { amount: 2_000, currency: 'usd' }, step),
      {
        code: 'IDEMPOTENCY_KEY_REUSED',
        retrySafe: false,
      },
    );
    expect(error.message).toMatch(/same parameters/);
  });

  it('maps a concurrent request with the same key (409) to retry-safe STRIPE_CONFLICT', async () => {
    await setFaults({}, [400, 400]);
    try {
      const step = ctx();
      const input = { amount: 1_500, currency: 'usd' };
      const settled = await Promise.allSettled([
        run('create_payment_intent', input, step),
        new Promise((r) => setTimeout(r, 50)).then(() => run('create_payment_intent', input, step)),
      ]);
      const failure = settled.find((s) => s.status === 'rejected');
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      expect((failure as PromiseRejectedResult).reason).toMatchObject({
        code: 'STRIPE_CONFLICT',
        retrySafe: true,
        retryAfterMs: 1000,
      });
    } finally {
      await setFaults({}, [0, 0]);
    }
  });

  it('maps unknown ids to NOT_FOUND and bad parameters to STRIPE_INVALID_REQUEST', async () => {
    await expectCallError(run('retrieve_payment_intent', { id: 'pi_doesnotexist' }), {
      code: 'NOT_FOUND',
      status: 404,
      retrySafe: false,
    });
    const error = await expectCallError(run('create_payment_intent', { amount: 10, currency: 'usd' }), {
      code: 'STRIPE_INVALID_REQUEST',
      retrySafe: false,
    });
    expect(error.message).toMatch(/amount_too_small/);
    expect(error.details).toMatchObject({ param: 'amount', upstream_status: 400 });
  });

  it('maps a refused key to CONNECTION_AUTH_FAILED without showing the key', async () => {
    const wrong = connection({}, { secret_key: 'sk_test_thisIsNotTheRightKey000000000wxyz' });
    const error = await expectCallError(run('retrieve_payment_intent', { id: 'pi_x' }, ctx({}, wrong)), {
      code: 'CONNECTION_AUTH_FAILED',
      retrySafe: false,
    });
    expect(error.message).not.toContain('thisIsNotTheRightKey');
    seen.push(inspect(error, { depth: 6 }));
    expect(inspect(error, { depth: 6 })).not.toContain('sk_test_thisIsNotTheRightKey000000000wxyz');
  });

  it('maps 5xx to UPSTREAM_UNAVAILABLE and 429 to RATE_LIMITED with Retry-After, both retry-safe', async () => {
    try {
      await setFaults({ error5xx: 1 });
      await expectCallError(run('create_payment_intent', { amount: 1_000, currency: 'usd' }), {
        code: 'UPSTREAM_UNAVAILABLE',
        retrySafe: true,
      });
      await setFaults({ error5xx: 0, rateLimited: 1, retryAfterSeconds: 3 });
      await expectCallError(run('retrieve_payment_intent', { id: 'pi_x' }), {
        code: 'RATE_LIMITED',
        status: 429,
        retrySafe: true,
        retryAfterMs: 3000,
      });
    } finally {
      await setFaults({ error5xx: 0, rateLimited: 0, retryAfterSeconds: 1 });
    }
  });

  it('retries a payment whose response was lost with the same key: one payment intent', async () => {
    const step = ctx();
    const input = { amount: 7_700, currency: 'usd', payment_method: 'pm_card_visa', confirm: true };
    try {
      await setFaults({ lostResponse: 1 });
      await expectCallError(run('create_payment_intent', input, step), {
        code: 'UPSTREAM_UNAVAILABLE',
        retrySafe: true,
      });
    } finally {
      await setFaults({ lostResponse: 0 });
    }
    const pi = await output('create_payment_intent', input, step);
    expect(pi.status).toBe('succeeded');
    const effects = (await ledger()).filter((e) => e.idempotencyKey === step.stepKey);
    expect(effects.filter((e) => e.operation === 'payment_intents.create').map((e) => e.target)).toEqual([
      pi.id,
    ]);
  });

  it('times out with STEP_TIMEOUT (retry-safe) when Stripe does not answer', async () => {
    try {
      await setFaults({ timeout: 1 });
      const started = Date.now();
      await expectCallError(
        run(
          'create_payment_intent',
          { amount: 1_000, currency: 'usd' },
          ctx({}, connection({ timeout: 300 })),
        ),
        { code: 'STEP_TIMEOUT', retrySafe: true },
      );
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await setFaults({ timeout: 0 });
    }
  });

  it('ends the request when the step signal aborts, with the worker’s own error', async () => {
    await setFaults({}, [2000, 2000]);
    try {
      const controller = new AbortController();
      const reason = new CallError({
        code: 'STEP_TIMEOUT',
        message: 'step timed out after 100 ms',
        retrySafe: true,
      });
      setTimeout(() => controller.abort(reason), 100);
      const started = Date.now();
      const error = await run(
        'retrieve_payment_intent',
        { id: 'pi_x' },
        ctx({ signal: controller.signal }),
      ).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBe(reason);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await setFaults({}, [0, 0]);
    }
  });

  it('refuses loopback without allow_hosts (SSRF guard) and a connection without its secret', async () => {
    const unguarded: ResolvedConnection = { ...connection(), config: { base_url: emulator.url } };
    await expectCallError(run('retrieve_payment_intent', { id: 'pi_x' }, ctx({}, unguarded)), {
      code: 'SSRF_BLOCKED',
      retrySafe: false,
    });
    const keyless: ResolvedConnection = { ...connection(), secrets: {} };
    await expectCallError(run('retrieve_payment_intent', { id: 'pi_x' }, ctx({}, keyless)), {
      code: 'CONNECTION_INVALID',
    });
    const badConfig: ResolvedConnection = { ...connection(), config: { base_url: `${emulator.url}/v1` } };
    await expectCallError(run('retrieve_payment_intent', { id: 'pi_x' }, ctx({}, badConfig)), {
      code: 'CONNECTION_INVALID',
    });
  });

  it('maps Stripe-Should-Retry: false on a 5xx to a final error', () => {
    const raw = {
      type: 'api_error' as const,
      message: 'boom',
      statusCode: 500,
      headers: { 'stripe-should-retry': 'false' },
    };
    const error = stripeFailure(
      new Stripe.errors.StripeAPIError(raw),
      'keyed',
      new AbortController().signal,
      [],
    );
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retrySafe: false });
  });

  it('never shows the secret key in outputs, audit summaries or errors', () => {
    expect(seen.length).toBeGreaterThan(20);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(SECRET_KEY);
    expect(text).not.toContain(SECRET_KEY.slice(8));
  });
});
