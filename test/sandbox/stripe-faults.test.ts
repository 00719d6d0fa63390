import { afterEach, describe, expect, it } from 'vitest';
import { setBehaviour, startStripe, type StripeClient } from './stripe-helpers.js';

let stripe: StripeClient;
afterEach(() => stripe.close());

const charge = { amount: '18000', currency: 'usd', confirm: 'true', payment_method: 'pm_card_visa' };

describe('Stripe emulator: injected faults (PUT /_sandbox/behaviour)', () => {
  it('a 503 share of 1 answers 503 and executes nothing; the same key then runs normally', async () => {
    stripe = await startStripe();
    await setBehaviour(stripe.server, { faults: { error5xx: 1 } });
    const failed = await stripe.post('/v1/payment_intents', charge, { 'idempotency-key': 'f-1' });
    expect(failed.status).toBe(503);
    expect(await stripe.ledger()).toEqual([]);

    await setBehaviour(stripe.server, { faults: { error5xx: 0 } });
    const ok = await stripe.post('/v1/payment_intents', charge, { 'idempotency-key': 'f-1' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('idempotent-replayed')).toBeNull();
    expect((await stripe.ledger()).map((e) => e.operation)).toEqual([
      'payment_intents.create',
      'payment_intents.confirm',
    ]);
  });

  it('a 429 share of 1 answers 429 with Retry-After', async () => {
    stripe = await startStripe();
    await setBehaviour(stripe.server, { faults: { rateLimited: 1, retryAfterSeconds: 7 } });
    const limited = await stripe.post('/v1/customers', { email: 'r@example.com' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await stripe.ledger()).toEqual([]);
  });

  it('lostResponse executes (the ledger shows it) but drops the connection; a retry with the key replays', async () => {
    stripe = await startStripe();
    await setBehaviour(stripe.server, { faults: { lostResponse: 1 } });
    await expect(stripe.post('/v1/payment_intents', charge, { 'idempotency-key': 'f-2' })).rejects.toThrow();
    const effects = await stripe.ledger();
    expect(effects.map((e) => e.operation)).toEqual(['payment_intents.create', 'payment_intents.confirm']);

    // Reads are not state changes: they answer even with lostResponse on.
    const read = await stripe.get(`/v1/payment_intents/${effects[0]?.target}`);
    expect(read.body.status).toBe('succeeded');

    await setBehaviour(stripe.server, { faults: { lostResponse: 0 } });
    const retry = await stripe.post('/v1/payment_intents', charge, { 'idempotency-key': 'f-2' });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(effects[0]?.target);
    expect(await stripe.ledger()).toHaveLength(2);
  });

  it('reports the behaviour it runs with', async () => {
    stripe = await startStripe();
    await setBehaviour(stripe.server, { latencyMs: [5, 10] });
    expect(stripe.server.behaviour.latencyMs).toEqual([5, 10]);
    expect(stripe.server.behaviour.faults.error5xx).toBe(0);
  });
});
