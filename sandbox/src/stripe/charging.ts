import { ok, type StripeContext, type StripeResult } from './endpoint.js';
import { invalidRequest, StripeError } from './errors.js';
import { expandObject } from './expand.js';
import { newCharge, newPaymentMethod, type PaymentIntent, type PaymentMethod } from './objects.js';
import { TEST_CARDS, testCardByLast4 } from './test-cards.js';

/**
 * A `payment_method` param: a test id such as `pm_card_visa` (which, as at Stripe, becomes a new
 * PaymentMethod `pm_…`) or the id of one already made. Returns how to get the PaymentMethod; the check
 * happens now, the creation when called, so an execution can refuse before it changes anything.
 */
export function resolvePaymentMethod(ctx: StripeContext, id: string): () => PaymentMethod {
  const testCard = TEST_CARDS[id];
  if (testCard)
    return () => {
      const method = newPaymentMethod(ctx.now(), testCard);
      ctx.store.insert(method);
      return method;
    };
  const existing = ctx.store.get<PaymentMethod>(id, 'payment_method');
  if (!existing)
    throw invalidRequest(`No such PaymentMethod: '${id}'`, {
      code: 'resource_missing',
      param: 'payment_method',
    });
  return () => existing;
}

const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

/** Refuses confirming an intent in the wrong state or without a payment method (nothing changed yet). */
export function checkConfirmable(intent: PaymentIntent, hasPaymentMethod: boolean): void {
  if (!CONFIRMABLE.includes(intent.status))
    throw invalidRequest(
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
      { code: 'payment_intent_unexpected_state' },
    );
  if (!hasPaymentMethod)
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      { code: 'payment_intent_unexpected_state' },
    );
}

/**
 * Charges the intent's payment method: a succeeded charge (the intent `succeeded`, `amount_received`
 * set) or, for a declining test card, a failed charge and a 402 `card_error` carrying the intent, whose
 * status returns to `requires_payment_method`. Either way the attempt is an effect on the ledger.
 */
export function chargeIntent(
  ctx: StripeContext,
  intent: PaymentIntent,
  method: PaymentMethod,
  expand: string[],
): StripeResult {
  const decline = testCardByLast4(method.card.last4)?.decline;
  const charge = newCharge(ctx.now(), intent, method, decline);
  ctx.store.insert(charge);
  intent.latest_charge = charge.id;
  if (decline) {
    const error = new StripeError(402, 'card_error', decline.message, {
      code: decline.code,
      decline_code: decline.declineCode,
      extra: { charge: charge.id, payment_method: method },
    });
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = error.body.error;
  } else {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.payment_method = method.id;
    intent.last_payment_error = null;
  }
  ctx.store.update(intent);
  ctx.ledger.record('payment_intents.confirm', ctx.idempotencyKey, intent.id);
  const body = expandObject(intent, expand, ctx.store);
  if (!decline) return ok(body);
  const failure = new StripeError(402, 'card_error', decline.message, {
    code: decline.code,
    decline_code: decline.declineCode,
    extra: { charge: charge.id, payment_intent: body, payment_method: method },
  });
  return { status: failure.status, body: failure.body };
}
