import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CUSTOMERS } from '../../sandbox/src/stripe/seed.js';
import { startStripe, type StripeClient } from './stripe-helpers.js';

let stripe: StripeClient;
beforeAll(async () => {
  stripe = await startStripe();
});
afterAll(() => stripe.close());

describe('Stripe emulator: cards that require 3-D Secure', () => {
  it('leaves an on-session payment with pm_card_authenticationRequired requires_action, uncharged', async () => {
    const res = await stripe.post('/v1/payment_intents', {
      amount: '44700',
      currency: 'usd',
      customer: SEED_CUSTOMERS[0].id,
      confirm: 'true',
      payment_method: 'pm_card_authenticationRequired',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'requires_action',
      amount_received: 0,
      latest_charge: null,
      last_payment_error: null,
      next_action: { type: 'use_stripe_sdk', use_stripe_sdk: { type: 'three_d_secure_redirect' } },
    });
    expect(res.body.payment_method).toMatch(/^pm_[A-Za-z0-9]{24}$/);
    const method = await stripe.get(`/v1/payment_intents/${res.body.id}`, { expand: ['payment_method'] });
    expect(method.body.payment_method.card).toMatchObject({ brand: 'visa', last4: '3184' });

    const effects = (await stripe.ledger()).filter((e) => e.target === res.body.id);
    expect(effects.map((e) => e.operation)).toEqual(['payment_intents.create', 'payment_intents.confirm']);

    const refund = await stripe.post('/v1/refunds', { payment_intent: res.body.id });
    expect(refund.status).toBe(400);
  });

  it('redirects to the return_url when one is given, and confirming again still requires action', async () => {
    const created = await stripe.post('/v1/payment_intents', { amount: '5000', currency: 'usd' });
    const confirmed = await stripe.post(`/v1/payment_intents/${created.body.id}/confirm`, {
      payment_method: 'pm_card_authenticationRequired',
      return_url: 'https://dewy.example/paid',
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: 'requires_action',
      next_action: { type: 'redirect_to_url', redirect_to_url: { return_url: 'https://dewy.example/paid' } },
    });
    expect(confirmed.body.next_action.redirect_to_url.url).toMatch(/^https:\/\//);

    const again = await stripe.post(`/v1/payment_intents/${created.body.id}/confirm`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'requires_action', latest_charge: null });
  });

  it('charges another card given on a later confirmation, clearing next_action', async () => {
    const created = await stripe.post('/v1/payment_intents', {
      amount: '5000',
      currency: 'usd',
      confirm: 'true',
      payment_method: 'pm_card_authenticationRequired',
    });
    expect(created.body.status).toBe('requires_action');
    const paid = await stripe.post(`/v1/payment_intents/${created.body.id}/confirm`, {
      payment_method: 'pm_card_visa',
    });
    expect(paid.body).toMatchObject({ status: 'succeeded', amount_received: 5000, next_action: null });
    expect(paid.body.latest_charge).toMatch(/^ch_/);
  });

  it('cancels a payment waiting for authentication', async () => {
    const created = await stripe.post('/v1/payment_intents', {
      amount: '5000',
      currency: 'usd',
      confirm: 'true',
      payment_method: 'pm_card_authenticationRequired',
    });
    const canceled = await stripe.post(`/v1/payment_intents/${created.body.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', next_action: null });
  });

  it('declines an off-session payment with authentication_required', async () => {
    const res = await stripe.post('/v1/payment_intents', {
      amount: '5000',
      currency: 'usd',
      confirm: 'true',
      off_session: 'true',
      payment_method: 'pm_card_authenticationRequired',
    });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({
      type: 'card_error',
      code: 'authentication_required',
      decline_code: 'authentication_required',
      message: 'Your card was declined. This transaction requires authentication.',
    });
    expect(res.body.error.payment_intent).toMatchObject({
      status: 'requires_payment_method',
      payment_method: null,
      next_action: null,
    });
    const charge = await stripe.get(`/v1/charges/${res.body.error.charge}`);
    expect(charge.body).toMatchObject({ status: 'failed', failure_code: 'authentication_required' });
  });

  it('still charges pm_card_visa at once, as before', async () => {
    const res = await stripe.post('/v1/payment_intents', {
      amount: '5000',
      currency: 'usd',
      confirm: 'true',
      payment_method: 'pm_card_visa',
    });
    expect(res.body).toMatchObject({ status: 'succeeded', next_action: null });
  });
});
