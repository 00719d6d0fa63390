import { ok, type Endpoint, type StripeContext } from './endpoint.js';
import { invalidRequest } from './errors.js';
import { checkExpandable, expandObject } from './expand.js';
import type { FormObject } from './form.js';
import { listObjects, parseList } from './lists.js';
import { newRefund, type Charge, type PaymentIntent, type Refund } from './objects.js';
import {
  allowOnly,
  expandPaths,
  mergeMetadata,
  optionalEnum,
  optionalInteger,
  optionalMetadata,
  optionalString,
} from './params.js';

const CREATE_PARAMS = ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand'];

function expandFor(params: FormObject): string[] {
  const expand = expandPaths(params);
  checkExpandable('refund', expand);
  return expand;
}

function money(amount: number, currency: string): string {
  const value = (amount / 100).toFixed(2);
  return currency === 'usd' ? `$${value}` : `${value} ${currency.toUpperCase()}`;
}

/** The charge a refund request names, directly or through its PaymentIntent's latest charge. */
function chargeToRefund(ctx: StripeContext, paymentIntentId?: string, chargeId?: string): Charge {
  if (paymentIntentId !== undefined) {
    const intent = ctx.store.get<PaymentIntent>(paymentIntentId, 'payment_intent');
    if (!intent)
      throw invalidRequest(`No such payment_intent: '${paymentIntentId}'`, {
        code: 'resource_missing',
        param: 'payment_intent',
      });
    const charge = intent.latest_charge ? ctx.store.get<Charge>(intent.latest_charge, 'charge') : null;
    if (intent.status !== 'succeeded' || !charge)
      throw invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, {
        code: 'charge_not_refundable',
        param: 'payment_intent',
      });
    if (chargeId !== undefined && chargeId !== charge.id)
      throw invalidRequest(`The charge ${chargeId} does not belong to PaymentIntent ${intent.id}.`, {
        param: 'charge',
      });
    return charge;
  }
  const charge = ctx.store.get<Charge>(chargeId as string, 'charge');
  if (!charge)
    throw invalidRequest(`No such charge: '${chargeId}'`, { code: 'resource_missing', param: 'charge' });
  if (charge.status !== 'succeeded')
    throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, {
      code: 'charge_not_refundable',
      param: 'charge',
    });
  return charge;
}

export const refundEndpoints: Endpoint[] = [
  {
    method: 'POST',
    path: '/v1/refunds',
    prepare(params, _path, ctx) {
      allowOnly(params, CREATE_PARAMS);
      const paymentIntentId = optionalString(params, 'payment_intent');
      const chargeId = optionalString(params, 'charge');
      if (paymentIntentId === undefined && chargeId === undefined)
        throw invalidRequest(
          'One of the following params should be provided for this request: payment_intent or charge.',
          { code: 'parameter_missing', param: 'payment_intent' },
        );
      const amount = optionalInteger(params, 'amount', { min: 1 });
      const reason = optionalEnum(params, 'reason', ['duplicate', 'fraudulent', 'requested_by_customer']);
      const metadata = mergeMetadata({}, optionalMetadata(params));
      const expand = expandFor(params);
      return () => {
        const charge = chargeToRefund(ctx, paymentIntentId, chargeId);
        const refundable = charge.amount - charge.amount_refunded;
        if (refundable === 0)
          throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
            code: 'charge_already_refunded',
          });
        if (amount !== undefined && amount > refundable)
          throw invalidRequest(
            `Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge (${money(refundable, charge.currency)})`,
            { code: 'amount_too_large', param: 'amount' },
          );
        const refund = newRefund(ctx.now(), charge, amount ?? refundable, reason ?? null, metadata);
        ctx.store.insert(refund);
        charge.amount_refunded += refund.amount;
        charge.refunded = charge.amount_refunded === charge.amount;
        ctx.store.update(charge);
        ctx.ledger.record('refunds.create', ctx.idempotencyKey, refund.id);
        return ok(expandObject(refund, expand, ctx.store));
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/refunds/:id',
    prepare(params, path, ctx) {
      allowOnly(params, ['expand']);
      const expand = expandFor(params);
      return () => {
        const id = path.id as string;
        const refund = ctx.store.get<Refund>(id, 'refund');
        if (!refund)
          throw invalidRequest(`No such refund: '${id}'`, { code: 'resource_missing', param: 'id' }, 404);
        return ok(expandObject(refund, expand, ctx.store));
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/refunds',
    prepare(params, _path, ctx) {
      const list = parseList('refund', params, ['payment_intent', 'charge']);
      const filter = {
        payment_intent: optionalString(params, 'payment_intent'),
        charge: optionalString(params, 'charge'),
      };
      return () => ok(listObjects(ctx, 'refund', '/v1/refunds', filter, list));
    },
  },
];
