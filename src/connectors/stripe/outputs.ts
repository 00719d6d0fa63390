import type Stripe from 'stripe';
import type { JsonObject } from '../../core/json.js';

/** Small, stable subsets of Stripe's objects: what recipes read, nothing that changes shape by version. */

type Ref = string | { id: string } | null | undefined;

/** An id, whether Stripe sent the id or (expanded) the object. */
export function idOf(ref: Ref): string | null {
  if (!ref) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

export function customerOutput(c: Stripe.Customer): JsonObject {
  return { id: c.id, email: c.email ?? null, name: c.name ?? null, metadata: { ...(c.metadata ?? {}) } };
}

export function paymentIntentOutput(pi: Stripe.PaymentIntent): JsonObject {
  return {
    id: pi.id,
    status: pi.status,
    amount: pi.amount,
    amount_received: pi.amount_received ?? 0,
    currency: pi.currency,
    customer: idOf(pi.customer),
    description: pi.description ?? null,
    payment_method: idOf(pi.payment_method),
    latest_charge: idOf(pi.latest_charge),
    metadata: { ...(pi.metadata ?? {}) },
    last_payment_error: paymentError(pi.last_payment_error),
  };
}

export function refundOutput(r: Stripe.Refund): JsonObject {
  return {
    id: r.id,
    status: r.status ?? null,
    amount: r.amount,
    currency: r.currency,
    payment_intent: idOf(r.payment_intent),
    charge: idOf(r.charge),
  };
}

/** Where a payment stands: paid, and how much of it went back. */
export function paymentStatusOutput(pi: Stripe.PaymentIntent, amountRefunded: number): JsonObject {
  const received = pi.amount_received ?? 0;
  return {
    payment_intent: pi.id,
    status: pi.status,
    paid: pi.status === 'succeeded',
    refunded: received > 0 && amountRefunded >= received,
    amount: pi.amount,
    amount_received: received,
    amount_refunded: amountRefunded,
    currency: pi.currency,
    latest_charge: idOf(pi.latest_charge),
    last_payment_error: paymentError(pi.last_payment_error),
  };
}

function paymentError(e: Stripe.PaymentIntent.LastPaymentError | null | undefined): JsonObject | null {
  if (!e) return null;
  return { code: e.code ?? null, decline_code: e.decline_code ?? null, message: e.message ?? null };
}
