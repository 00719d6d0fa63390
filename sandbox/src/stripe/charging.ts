import { ok, type StripeContext, type StripeResult } from './endpoint.js';
import { invalidRequest, StripeError } from './errors.js';
import { expandObject } from './expand.js';
import { newCharge, newPaymentMethod, type PaymentIntent, type PaymentMethod } from './objects.js';
import { AUTHENTICATION_REQUIRED_DECLINE, TEST_CARDS, testCardByLast4 } from './test-cards.js';

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

/** How a confirmation was made: `off_session` and `return_url` as given to create or confirm. */
export interface ConfirmOptions {
  offSession?: boolean;
  returnUrl?: string;
}

/**
 * Charges the intent's payment method: a succeeded charge (the intent `succeeded`, `amount_received`
 * set) or, for a declining test card, a failed charge and a 402 `card_error` carrying the intent, whose
 * status returns to `requires_payment_method`. A card that requires 3-D Secure is not charged on
 * session: the intent becomes `requires_action` with a `next_action` (the emulator has no customer to
 * authenticate, so it stays there until confirmed with another card or canceled); off session it is
 * declined `authentication_required`. Either way the attempt is an effect on the ledger.
 */
export function chargeIntent(
  ctx: StripeContext,
  intent: PaymentIntent,
  method: PaymentMethod,
  expand: string[],
  options: ConfirmOptions = {},
): StripeResult {
  const card = testCardByLast4(method.card.last4);
  if (card?.authenticationRequired && !options.offSession)
    return requireAction(ctx, intent, method, expand, options.returnUrl);
  const decline = card?.authenticationRequired ? AUTHENTICATION_REQUIRED_DECLINE : card?.decline;
  const charge = newCharge(ctx.now(), intent, method, decline);
  ctx.store.insert(charge);
  intent.latest_charge = charge.id;
  intent.next_action = null;
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

/**
 * As Stripe answers a confirmation that needs 3-D Secure: 200, the intent `requires_action` with the
 * payment method attached and no charge; `next_action` redirects to `return_url` when one was given,
 * otherwise it is for Stripe.js (`use_stripe_sdk`).
 */
function requireAction(
  ctx: StripeContext,
  intent: PaymentIntent,
  method: PaymentMethod,
  expand: string[],
  returnUrl: string | undefined,
): StripeResult {
  const source = `src_${intent.id.slice(3)}`;
  const authenticate = `https://hooks.stripe.com/redirect/authenticate/${source}?client_secret=${String(intent.client_secret)}`;
  intent.status = 'requires_action';
  intent.payment_method = method.id;
  intent.last_payment_error = null;
  intent.next_action =
    returnUrl !== undefined
      ? { type: 'redirect_to_url', redirect_to_url: { return_url: returnUrl, url: authenticate } }
      : {
          type: 'use_stripe_sdk',
          use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: authenticate, source },
        };
  ctx.store.update(intent);
  ctx.ledger.record('payment_intents.confirm', ctx.idempotencyKey, intent.id);
  return ok(expandObject(intent, expand, ctx.store));
}
