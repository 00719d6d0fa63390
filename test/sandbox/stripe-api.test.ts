import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CUSTOMERS } from '../../sandbox/src/stripe/seed.js';
import { sendJson, startStripe, STRIPE_KEY, type StripeClient } from './stripe-helpers.js';

let stripe: StripeClient;
beforeAll(async () => {
  stripe = await startStripe();
});
afterAll(() => stripe.close());

describe('Stripe emulator: authentication', () => {
  it('accepts Bearer and Basic (key as user) auth and answers with a Request-Id', async () => {
    const bearer = await stripe.get(`/v1/customers/${SEED_CUSTOMERS[0].id}`);
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
    const basic = await stripe.get(
      `/v1/customers/${SEED_CUSTOMERS[0].id}`,
      {},
      { authorization: `Basic ${Buffer.from(`${STRIPE_KEY}:`).toString('base64')}` },
    );
    expect(basic.status).toBe(200);
  });

  it('refuses a wrong key with 401 and shows it masked', async () => {
    const wrong = 'sk_test_wrongkey0000000000000000000abcd';
    const res = await stripe.get('/v1/customers', {}, { authorization: `Bearer ${wrong}` });
    expect(res.status).toBe(401);
    expect(res.body.error.type).toBe('invalid_request_error');
    expect(res.body.error.message).toBe(
      `Invalid API Key provided: sk_test_${'*'.repeat(wrong.length - 12)}abcd`,
    );
    expect(JSON.stringify(res.body)).not.toContain(wrong);
  });

  it('refuses a request without a key', async () => {
    const res = await sendJson(`${stripe.server.url}/v1/customers`);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/^You did not provide an API key/);
  });

  it('answers unknown URLs with 404 in Stripe’s shape', async () => {
    const res = await stripe.get('/v1/nothing_here');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/nothing_here\)/);
  });
});

describe('Stripe emulator: customers', () => {
  it('creates, retrieves and updates a customer in Stripe’s shape', async () => {
    const created = await stripe.post('/v1/customers', {
      email: 'nia@example.com',
      name: 'Nia Park',
      metadata: { guest_id: 'G-2001', tier: 'gold' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: 'customer',
      email: 'nia@example.com',
      name: 'Nia Park',
      livemode: false,
      metadata: { guest_id: 'G-2001', tier: 'gold' },
    });
    expect(created.body.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(Math.abs(created.body.created - Date.now() / 1000)).toBeLessThan(5);

    const fetched = await stripe.get(`/v1/customers/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);

    const updated = await stripe.post(`/v1/customers/${created.body.id}`, {
      phone: '+15005550006',
      metadata: { tier: '', room: '204' },
    });
    expect(updated.body).toMatchObject({
      phone: '+15005550006',
      metadata: { guest_id: 'G-2001', room: '204' },
    });
    expect(updated.body.metadata.tier).toBeUndefined();
  });

  it('lists customers newest first with an email filter, a limit and has_more', async () => {
    for (const n of [1, 2, 3])
      await stripe.post('/v1/customers', { email: 'twin@example.com', name: `Twin ${n}` });
    const page = await stripe.get('/v1/customers', { email: 'twin@example.com', limit: '2' });
    expect(page.body).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    expect(page.body.data.map((c: { name: string }) => c.name)).toEqual(['Twin 3', 'Twin 2']);
    const next = await stripe.get('/v1/customers', {
      email: 'twin@example.com',
      limit: '2',
      starting_after: page.body.data[1].id,
    });
    expect(next.body.data.map((c: { name: string }) => c.name)).toEqual(['Twin 1']);
    expect(next.body.has_more).toBe(false);
    const seeded = await stripe.get('/v1/customers', { email: SEED_CUSTOMERS[0].email });
    expect(seeded.body.data[0].id).toBe(SEED_CUSTOMERS[0].id);
  });

  it('answers a missing customer with 404 resource_missing', async () => {
    const res = await stripe.get('/v1/customers/cus_doesnotexist00');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'resource_missing',
      param: 'id',
      message: "No such customer: 'cus_doesnotexist00'",
    });
  });

  it('refuses unknown parameters and bad values with 400 naming the param', async () => {
    const unknown = await stripe.post('/v1/customers', { emial: 'x@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'parameter_unknown', param: 'emial' });
    const limit = await stripe.get('/v1/customers', { limit: 'lots' });
    expect(limit.body.error).toMatchObject({ code: 'parameter_invalid_integer', param: 'limit' });
    const structure = await stripe.post('/v1/customers', {}, {});
    expect(structure.status).toBe(200);
    const malformed = await sendJson(`${stripe.server.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STRIPE_KEY}` },
      body: 'metadata=x&metadata[a]=b',
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: 'invalid_request_error', param: 'metadata' });
  });
});

describe('Stripe emulator: payment intents', () => {
  it('creates an intent, confirms it and it succeeds with a charge', async () => {
    const customer = SEED_CUSTOMERS[1].id;
    const created = await stripe.post('/v1/payment_intents', {
      amount: '45000',
      currency: 'USD',
      customer,
      description: 'Booking B-3001, 3 nights',
      metadata: { booking: 'B-3001' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: 'payment_intent',
      amount: 45000,
      currency: 'usd',
      customer,
      status: 'requires_payment_method',
      amount_received: 0,
      latest_charge: null,
      livemode: false,
      metadata: { booking: 'B-3001' },
    });
    expect(created.body.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(created.body.client_secret).toMatch(new RegExp(`^${created.body.id}_secret_`));

    const confirmed = await stripe.post(`/v1/payment_intents/${created.body.id}/confirm`, {
      payment_method: 'pm_card_visa',
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'succeeded', amount_received: 45000 });
    expect(confirmed.body.latest_charge).toMatch(/^ch_/);
    expect(confirmed.body.payment_method).toMatch(/^pm_[A-Za-z0-9]{24}$/);

    const fetched = await stripe.get(`/v1/payment_intents/${created.body.id}`, {
      expand: ['latest_charge', 'payment_method'],
    });
    expect(fetched.body.latest_charge).toMatchObject({
      object: 'charge',
      amount: 45000,
      status: 'succeeded',
      paid: true,
      amount_refunded: 0,
      payment_intent: created.body.id,
    });
    expect(fetched.body.payment_method.card).toMatchObject({ brand: 'visa', last4: '4242' });

    const effects = (await stripe.ledger()).filter((e) => e.target === created.body.id);
    expect(effects.map((e) => e.operation)).toEqual(['payment_intents.create', 'payment_intents.confirm']);
  });

  it('creates and confirms in one call with confirm=true', async () => {
    const res = await stripe.post('/v1/payment_intents', {
      amount: '12000',
      currency: 'usd',
      confirm: 'true',
      payment_method: 'pm_card_mastercard',
      expand: ['latest_charge'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', amount_received: 12000 });
    expect(res.body.latest_charge.payment_method_details.card.brand).toBe('mastercard');
  });

  it('declines pm_card_chargeDeclined with a 402 card_error carrying the intent', async () => {
    const res = await stripe.post('/v1/payment_intents', {
      amount: '9900',
      currency: 'usd',
      confirm: 'true',
      payment_method: 'pm_card_chargeDeclined',
    });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    });
    expect(res.body.error.charge).toMatch(/^ch_/);
    const intent = res.body.error.payment_intent;
    expect(intent).toMatchObject({
      status: 'requires_payment_method',
      amount_received: 0,
      payment_method: null,
    });
    expect(intent.last_payment_error).toMatchObject({ code: 'card_declined', type: 'card_error' });

    const charge = await stripe.get(`/v1/charges/${res.body.error.charge}`);
    expect(charge.body).toMatchObject({ status: 'failed', paid: false, failure_code: 'card_declined' });

    const retry = await stripe.post(`/v1/payment_intents/${intent.id}/confirm`, {
      payment_method: 'pm_card_visa',
    });
    expect(retry.body.status).toBe('succeeded');
  });

  it('lists intents by customer', async () => {
    const customer = (await stripe.post('/v1/customers', { email: 'list@example.com' })).body.id;
    for (const amount of ['5000', '6000'])
      await stripe.post('/v1/payment_intents', { amount, currency: 'usd', customer });
    await stripe.post('/v1/payment_intents', { amount: '7000', currency: 'usd' });
    const list = await stripe.get('/v1/payment_intents', { customer });
    expect(list.body.url).toBe('/v1/payment_intents');
    expect(list.body.data.map((p: { amount: number }) => p.amount)).toEqual([6000, 5000]);
  });

  it('refuses bad amounts, missing params, unknown customers and test ids, and bad states', async () => {
    const missing = await stripe.post('/v1/payment_intents', { currency: 'usd' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'parameter_missing', param: 'amount' });
    const small = await stripe.post('/v1/payment_intents', { amount: '20', currency: 'usd' });
    expect(small.body.error).toMatchObject({ code: 'amount_too_small', param: 'amount' });
    const notInt = await stripe.post('/v1/payment_intents', { amount: '12.50', currency: 'usd' });
    expect(notInt.body.error).toMatchObject({ code: 'parameter_invalid_integer', param: 'amount' });
    const noCustomer = await stripe.post('/v1/payment_intents', {
      amount: '5000',
      currency: 'usd',
      customer: 'cus_nope',
    });
    expect(noCustomer.status).toBe(400);
    expect(noCustomer.body.error).toMatchObject({ code: 'resource_missing', param: 'customer' });
    const noPm = await stripe.post('/v1/payment_intents', {
      amount: '5000',
      currency: 'usd',
      payment_method: 'pm_card_bogus',
    });
    expect(noPm.body.error).toMatchObject({ code: 'resource_missing', param: 'payment_method' });
    const confirmWithout = await stripe.post('/v1/payment_intents', {
      amount: '5000',
      currency: 'usd',
      confirm: 'true',
    });
    expect(confirmWithout.body.error.code).toBe('payment_intent_unexpected_state');
    const notFound = await stripe.get('/v1/payment_intents/pi_missing');
    expect(notFound.status).toBe(404);

    const paid = await stripe.post('/v1/payment_intents', {
      amount: '5000',
      currency: 'usd',
      confirm: 'true',
      payment_method: 'pm_card_visa',
    });
    const again = await stripe.post(`/v1/payment_intents/${paid.body.id}/confirm`);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('payment_intent_unexpected_state');
    const cancel = await stripe.post(`/v1/payment_intents/${paid.body.id}/cancel`);
    expect(cancel.body.error.message).toMatch(/status of succeeded/);
    const badExpand = await stripe.get(`/v1/payment_intents/${paid.body.id}`, { expand: ['amount'] });
    expect(badExpand.body.error.message).toBe('This property cannot be expanded (amount).');
    expect(await stripe.ledger()).not.toContainEqual(expect.objectContaining({ target: null }));
  });

  it('cancels an unpaid intent', async () => {
    const created = await stripe.post('/v1/payment_intents', { amount: '5000', currency: 'eur' });
    const canceled = await stripe.post(`/v1/payment_intents/${created.body.id}/cancel`, {
      cancellation_reason: 'requested_by_customer',
    });
    expect(canceled.body).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer' });
    expect(canceled.body.canceled_at).toBeGreaterThan(0);
  });
});

describe('Stripe emulator: refunds', () => {
  async function paidIntent(amount: string) {
    return (
      await stripe.post('/v1/payment_intents', {
        amount,
        currency: 'usd',
        confirm: 'true',
        payment_method: 'pm_card_visa',
      })
    ).body as { id: string; latest_charge: string };
  }

  it('refunds part, then the rest, and the charge reflects it', async () => {
    const intent = await paidIntent('30000');
    const partial = await stripe.post('/v1/refunds', {
      payment_intent: intent.id,
      amount: '10000',
      reason: 'requested_by_customer',
      metadata: { booking: 'B-4' },
    });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({
      object: 'refund',
      amount: 10000,
      currency: 'usd',
      status: 'succeeded',
      payment_intent: intent.id,
      charge: intent.latest_charge,
      metadata: { booking: 'B-4' },
    });
    expect(partial.body.id).toMatch(/^re_[A-Za-z0-9]{24}$/);
    let charge = (await stripe.get(`/v1/charges/${intent.latest_charge}`)).body;
    expect(charge).toMatchObject({ amount_refunded: 10000, refunded: false });

    const rest = await stripe.post('/v1/refunds', { payment_intent: intent.id });
    expect(rest.body.amount).toBe(20000);
    charge = (await stripe.get(`/v1/payment_intents/${intent.id}`, { expand: ['latest_charge'] })).body
      .latest_charge;
    expect(charge).toMatchObject({ amount_refunded: 30000, refunded: true });

    const retrieved = await stripe.get(`/v1/refunds/${partial.body.id}`, { expand: ['payment_intent'] });
    expect(retrieved.body.payment_intent.id).toBe(intent.id);
    const listed = await stripe.get('/v1/refunds', { payment_intent: intent.id });
    expect(listed.body.data.map((r: { amount: number }) => r.amount)).toEqual([20000, 10000]);

    const third = await stripe.post('/v1/refunds', { payment_intent: intent.id });
    expect(third.status).toBe(400);
    expect(third.body.error.code).toBe('charge_already_refunded');
    const ops = (await stripe.ledger()).filter((e) => e.operation === 'refunds.create').map((e) => e.target);
    expect(ops).toEqual(expect.arrayContaining([partial.body.id, rest.body.id]));
  });

  it('refuses refunds larger than what is left, of unpaid intents, and without a target', async () => {
    const intent = await paidIntent('5000');
    const tooMuch = await stripe.post('/v1/refunds', { payment_intent: intent.id, amount: '6000' });
    expect(tooMuch.body.error).toMatchObject({ code: 'amount_too_large', param: 'amount' });
    expect(tooMuch.body.error.message).toBe(
      'Refund amount ($60.00) is greater than unrefunded amount on charge ($50.00)',
    );
    const unpaid = (await stripe.post('/v1/payment_intents', { amount: '5000', currency: 'usd' })).body;
    const res = await stripe.post('/v1/refunds', { payment_intent: unpaid.id });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/does not have a successful charge/);
    const none = await stripe.post('/v1/refunds', { amount: '100' });
    expect(none.body.error.code).toBe('parameter_missing');
    const byCharge = await stripe.post('/v1/refunds', { charge: intent.latest_charge, amount: '100' });
    expect(byCharge.body).toMatchObject({ amount: 100, payment_intent: intent.id });
  });
});

describe('Stripe emulator: state', () => {
  it('keeps customers, intents and the ledger across a restart', async () => {
    const customer = (await stripe.post('/v1/customers', { email: 'persist@example.com' })).body;
    const intent = (
      await stripe.post('/v1/payment_intents', {
        amount: '8000',
        currency: 'usd',
        customer: customer.id,
        confirm: 'true',
        payment_method: 'pm_card_visa',
      })
    ).body;
    const before = await stripe.ledger();
    await stripe.restart();
    expect((await stripe.get(`/v1/customers/${customer.id}`)).body).toEqual(customer);
    expect((await stripe.get(`/v1/payment_intents/${intent.id}`)).body).toEqual(intent);
    expect(await stripe.ledger()).toEqual(before);
    const seeded = await stripe.get('/v1/customers', { email: SEED_CUSTOMERS[2].email });
    expect(seeded.body.data).toHaveLength(1);
  });
});
