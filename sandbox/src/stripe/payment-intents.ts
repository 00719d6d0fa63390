import { checkConfirmable, chargeIntent, resolvePaymentMethod } from './charging.js';
import { findCustomer } from './customers.js';
import { ok, type Endpoint, type StripeContext } from './endpoint.js';
import { invalidParam, invalidRequest, missingParam } from './errors.js';
import { checkExpandable, expandObject } from './expand.js';
import type { FormObject } from './form.js';
import { listObjects, parseList } from './lists.js';
import { newPaymentIntent, type PaymentIntent } from './objects.js';
import {
  allowOnly,
  expandPaths,
  mergeMetadata,
  optionalBoolean,
  optionalEnum,
  optionalHash,
  optionalInteger,
  optionalMetadata,
  optionalString,
  requiredString,
} from './params.js';

const CREATE_PARAMS = [
  'amount',
  'currency',
  'customer',
  'description',
  'metadata',
  'confirm',
  'payment_method',
  'payment_method_types',
  'automatic_payment_methods',
  'capture_method',
  'receipt_email',
  'return_url',
  'off_session',
  'expand',
];
const CONFIRM_PARAMS = ['payment_method', 'receipt_email', 'return_url', 'off_session', 'expand'];
const CANCELABLE = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];
const MIN_AMOUNT = 50;
const MAX_AMOUNT = 99_999_999;

function expandFor(params: FormObject): string[] {
  const expand = expandPaths(params);
  checkExpandable('payment_intent', expand);
  return expand;
}

function findIntent(ctx: StripeContext, id: string, param = 'intent'): PaymentIntent {
  const intent = ctx.store.get<PaymentIntent>(id, 'payment_intent');
  if (!intent)
    throw invalidRequest(
      `No such payment_intent: '${id}'`,
      { code: 'resource_missing', param },
      param === 'intent' ? 404 : 400,
    );
  return intent;
}

function parseCreate(params: FormObject) {
  allowOnly(params, CREATE_PARAMS);
  const amount = optionalInteger(params, 'amount');
  if (amount === undefined) throw missingParam('amount');
  const currency = requiredString(params, 'currency').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency))
    throw invalidParam('currency', `Invalid currency: ${currency}.`, 'parameter_invalid_string');
  if (amount < MIN_AMOUNT)
    throw invalidRequest(`Amount must be at least ${(MIN_AMOUNT / 100).toFixed(2)} ${currency}`, {
      code: 'amount_too_small',
      param: 'amount',
    });
  if (amount > MAX_AMOUNT)
    throw invalidRequest(`Amount must be no more than ${(MAX_AMOUNT / 100).toFixed(2)} ${currency}`, {
      code: 'amount_too_large',
      param: 'amount',
    });
  const types = params.payment_method_types;
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => t !== 'card')))
    throw invalidParam(
      'payment_method_types',
      'The payment method type provided is not supported by the emulator (only card).',
    );
  const automatic = optionalHash(params, 'automatic_payment_methods');
  const confirm = optionalBoolean(params, 'confirm') ?? false;
  const paymentMethod = optionalString(params, 'payment_method');
  const offSession = optionalBoolean(params, 'off_session');
  const returnUrl = optionalString(params, 'return_url');
  return {
    amount,
    currency,
    confirm,
    paymentMethod,
    customer: optionalString(params, 'customer'),
    description: optionalString(params, 'description') ?? null,
    receiptEmail: optionalString(params, 'receipt_email') ?? null,
    metadata: mergeMetadata({}, optionalMetadata(params)),
    captureMethod:
      optionalEnum(params, 'capture_method', ['automatic', 'automatic_async']) ?? 'automatic_async',
    automaticPaymentMethods: automatic?.enabled === 'true',
    expand: expandFor(params),
    confirmOptions: { offSession, returnUrl },
  };
}

export const paymentIntentEndpoints: Endpoint[] = [
  {
    method: 'POST',
    path: '/v1/payment_intents',
    prepare(params, _path, ctx) {
      const p = parseCreate(params);
      return () => {
        if (p.customer !== undefined) findCustomer(ctx, p.customer, 'customer');
        const method = p.paymentMethod !== undefined ? resolvePaymentMethod(ctx, p.paymentMethod) : null;
        const intent = newPaymentIntent(ctx.now(), {
          amount: p.amount,
          currency: p.currency,
          customer: p.customer ?? null,
          description: p.description,
          metadata: p.metadata,
          receipt_email: p.receiptEmail,
          captureMethod: p.captureMethod,
          paymentMethodTypes: ['card'],
          automaticPaymentMethods: p.automaticPaymentMethods,
        });
        if (p.confirm) checkConfirmable(intent, method !== null);
        const paymentMethod = method?.();
        if (paymentMethod) {
          intent.payment_method = paymentMethod.id;
          intent.status = 'requires_confirmation';
        }
        ctx.store.insert(intent);
        ctx.ledger.record('payment_intents.create', ctx.idempotencyKey, intent.id);
        if (p.confirm && paymentMethod)
          return chargeIntent(ctx, intent, paymentMethod, p.expand, p.confirmOptions);
        return ok(expandObject(intent, p.expand, ctx.store));
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_intents/:id',
    prepare(params, path, ctx) {
      allowOnly(params, ['expand', 'client_secret']);
      const expand = expandFor(params);
      return () => ok(expandObject(findIntent(ctx, path.id as string), expand, ctx.store));
    },
  },
  {
    method: 'GET',
    path: '/v1/payment_intents',
    prepare(params, _path, ctx) {
      const list = parseList('payment_intent', params, ['customer']);
      const customer = optionalString(params, 'customer');
      return () => ok(listObjects(ctx, 'payment_intent', '/v1/payment_intents', { customer }, list));
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/confirm',
    prepare(params, path, ctx) {
      allowOnly(params, CONFIRM_PARAMS);
      const paymentMethodId = optionalString(params, 'payment_method');
      const receiptEmail = optionalString(params, 'receipt_email');
      const offSession = optionalBoolean(params, 'off_session');
      const returnUrl = optionalString(params, 'return_url');
      const expand = expandFor(params);
      return () => {
        const intent = findIntent(ctx, path.id as string);
        const method =
          paymentMethodId !== undefined
            ? resolvePaymentMethod(ctx, paymentMethodId)
            : intent.payment_method
              ? resolvePaymentMethod(ctx, intent.payment_method)
              : null;
        checkConfirmable(intent, method !== null);
        if (receiptEmail !== undefined) intent.receipt_email = receiptEmail;
        return chargeIntent(ctx, intent, (method as NonNullable<typeof method>)(), expand, {
          offSession,
          returnUrl,
        });
      };
    },
  },
  {
    method: 'POST',
    path: '/v1/payment_intents/:id/cancel',
    prepare(params, path, ctx) {
      allowOnly(params, ['cancellation_reason', 'expand']);
      const reason = optionalEnum(params, 'cancellation_reason', [
        'duplicate',
        'fraudulent',
        'requested_by_customer',
        'abandoned',
      ]);
      const expand = expandFor(params);
      return () => {
        const intent = findIntent(ctx, path.id as string);
        if (!CANCELABLE.includes(intent.status))
          throw invalidRequest(
            `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
            { code: 'payment_intent_unexpected_state' },
          );
        intent.status = 'canceled';
        intent.canceled_at = ctx.now();
        intent.cancellation_reason = reason ?? null;
        intent.next_action = null;
        ctx.store.update(intent);
        ctx.ledger.record('payment_intents.cancel', ctx.idempotencyKey, intent.id);
        return ok(expandObject(intent, expand, ctx.store));
      };
    },
  },
];
