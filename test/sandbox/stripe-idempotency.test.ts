import { afterEach, describe, expect, it } from 'vitest';
import { KEY_LIFETIME_MS } from '../../sandbox/src/stripe/idempotency.js';
import { setBehaviour, startStripe, STRIPE_KEY, type StripeClient } from './stripe-helpers.js';

let stripe: StripeClient;
afterEach(() => stripe.close());

const charge = { amount: '25000', currency: 'usd', confirm: 'true', payment_method: 'pm_card_visa' };
const withKey = (key: string) => ({ 'idempotency-key': key });

async function effectsFor(key: string) {
  return (await stripe.ledger()).filter((e) => e.idempotencyKey === key).map((e) => e.operation);
}

describe('Stripe emulator: Idempotency-Key', () => {
  it('replays the first response for the same key and parameters, without executing again', async () => {
    stripe = await startStripe();
    const first = await stripe.post(
      '/v1/payment_intents',
      { ...charge, metadata: { booking: 'B-1' } },
      withKey('k-1'),
    );
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(first.headers.get('idempotency-key')).toBe('k-1');

    const reordered = {
      metadata: { booking: 'B-1' },
      payment_method: 'pm_card_visa',
      confirm: 'true',
      currency: 'usd',
      amount: '25000',
    };
    const replay = await stripe.post('/v1/payment_intents', reordered, withKey('k-1'));
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('original-request')).toBe(first.headers.get('request-id'));
    expect(replay.headers.get('request-id')).not.toBe(first.headers.get('request-id'));

    expect(await effectsFor('k-1')).toEqual(['payment_intents.create', 'payment_intents.confirm']);
    const list = await stripe.get('/v1/payment_intents', { limit: '100' });
    expect(list.body.data.filter((p: { amount: number }) => p.amount === 25000)).toHaveLength(1);
  });

  it('refuses the same key with other parameters or on another endpoint (400 idempotency_error)', async () => {
    stripe = await startStripe();
    await stripe.post('/v1/customers', { email: 'a@example.com' }, withKey('k-2'));
    const other = await stripe.post('/v1/customers', { email: 'b@example.com' }, withKey('k-2'));
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({
      type: 'idempotency_error',
      message:
        "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than 'k-2' if you meant to execute a different request.",
    });
    const elsewhere = await stripe.post(
      '/v1/payment_intents',
      { amount: '5000', currency: 'usd' },
      withKey('k-2'),
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.type).toBe('idempotency_error');
    expect(elsewhere.body.error.message).toMatch(/same endpoint/);
    expect(await effectsFor('k-2')).toEqual(['customers.create']);
  });

  it('answers 409 to a request whose key is still executing', async () => {
    stripe = await startStripe();
    await setBehaviour(stripe.server, { latencyMs: [400, 400] });
    const [a, b] = await Promise.all([
      stripe.post('/v1/payment_intents', charge, withKey('k-3')),
      stripe.post('/v1/payment_intents', charge, withKey('k-3')),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const conflict = a.status === 409 ? a : b;
    expect(conflict.body.error).toMatchObject({ type: 'idempotency_error', code: 'idempotency_key_in_use' });
    expect(await effectsFor('k-3')).toEqual(['payment_intents.create', 'payment_intents.confirm']);

    const later = await stripe.post('/v1/payment_intents', charge, withKey('k-3'));
    expect(later.status).toBe(200);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
  });

  it('saves declines (the endpoint executed) but not parameter errors', async () => {
    stripe = await startStripe();
    const declined = { ...charge, payment_method: 'pm_card_chargeDeclined' };
    const first = await stripe.post('/v1/payment_intents', declined, withKey('k-4'));
    const again = await stripe.post('/v1/payment_intents', declined, withKey('k-4'));
    expect([first.status, again.status]).toEqual([402, 402]);
    expect(again.body).toEqual(first.body);
    expect(await effectsFor('k-4')).toEqual(['payment_intents.create', 'payment_intents.confirm']);

    const invalid = await stripe.post('/v1/payment_intents', { currency: 'usd' }, withKey('k-5'));
    expect(invalid.status).toBe(400);
    const valid = await stripe.post('/v1/payment_intents', charge, withKey('k-5'));
    expect(valid.status).toBe(200);
    expect(valid.headers.get('idempotent-replayed')).toBeNull();
  });

  it('scopes keys to the API key', async () => {
    const otherKey = 'sk_test_dewyresort_secondkey000000000000';
    stripe = await startStripe({ secretKeys: [STRIPE_KEY, otherKey] });
    const one = await stripe.post('/v1/customers', { email: 'x@example.com' }, withKey('k-6'));
    const two = await stripe.post(
      '/v1/customers',
      { email: 'y@example.com' },
      { ...withKey('k-6'), authorization: `Bearer ${otherKey}` },
    );
    expect(two.status).toBe(200);
    expect(two.body.id).not.toBe(one.body.id);
    expect(await effectsFor('k-6')).toEqual(['customers.create', 'customers.create']);
  });

  it('ignores keys on GET requests', async () => {
    stripe = await startStripe();
    const res = await stripe.get('/v1/customers', {}, withKey('k-7'));
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });

  it('forgets keys after 24 hours', async () => {
    let now = Date.parse('2026-07-01T12:00:00Z');
    stripe = await startStripe({ now: () => now });
    await stripe.post('/v1/customers', { email: 'old@example.com' }, withKey('k-8'));
    now += KEY_LIFETIME_MS - 1000;
    expect((await stripe.post('/v1/customers', { email: 'new@example.com' }, withKey('k-8'))).status).toBe(
      400,
    );
    now += 2000;
    const fresh = await stripe.post('/v1/customers', { email: 'new@example.com' }, withKey('k-8'));
    expect(fresh.status).toBe(200);
    expect(fresh.body.email).toBe('new@example.com');
    expect(await effectsFor('k-8')).toEqual(['customers.create', 'customers.create']);
  });

  it('replays after a restart', async () => {
    stripe = await startStripe();
    const first = await stripe.post('/v1/refunds', { charge: 'ch_missing' }, withKey('k-9'));
    const created = await stripe.post('/v1/customers', { email: 'r@example.com' }, withKey('k-10'));
    await stripe.restart();
    const replay = await stripe.post('/v1/customers', { email: 'r@example.com' }, withKey('k-10'));
    expect(replay.body).toEqual(created.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const refund = await stripe.post('/v1/refunds', { charge: 'ch_missing' }, withKey('k-9'));
    expect(refund.body).toEqual(first.body);
    expect(refund.headers.get('idempotent-replayed')).toBe('true');
  });
});
