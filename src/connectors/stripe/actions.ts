import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { JsonObject } from '../../core/json.js';
import type { StepEffect } from '../../store/store.js';
import type { ActionContext, ActionResult, ConnectorAction, ResolvedConnection } from '../connector.js';
import type { StripeClients } from './client.js';
import type { ResolvedStripeConfig } from './config.js';
import { stripeFailure } from './errors.js';
import * as out from './outputs.js';
import * as schema from './schemas.js';

export interface StripeDeps {
  readConfig(ctx: ActionContext): ResolvedStripeConfig;
  clients: StripeClients;
}

/** Stripe keeps keys up to 255 characters; a longer step key is sent as its digest (still one per step). */
const MAX_KEY_LENGTH = 255;

type Metadata = Record<string, string>;

export function stripeActions(deps: StripeDeps): Record<string, ConnectorAction> {
  /**
   * Runs one SDK call with the step's signal, mapping failures. `key` is the Idempotency-Key of writes:
   * the recipe's `idempotency_key` when it gives one, else the step key, so a resumed or retried step
   * (even one whose response was lost) gets Stripe's stored result instead of a second charge.
   */
  const perform = async <T extends { lastResponse?: { requestId?: string } }>(
    ctx: ActionContext,
    effect: StepEffect,
    request: JsonObject,
    fn: (stripe: Stripe, options: Stripe.RequestOptions) => Promise<T>,
  ): Promise<{ value: T; result: (output: JsonObject) => ActionResult }> => {
    const connection = ctx.connection as ResolvedConnection;
    const config = deps.readConfig(ctx);
    const options: Stripe.RequestOptions = {};
    if (effect === 'keyed') options.idempotencyKey = request.idempotency_key as string;
    try {
      const stripe = await deps.clients.get(connection, config);
      const value = await deps.clients.withSignal(ctx.signal, () => fn(stripe, options));
      return {
        value,
        result: (output) => ({
          output,
          request,
          response: { request_id: value.lastResponse?.requestId ?? null },
        }),
      };
    } catch (error) {
      throw stripeFailure(error, effect, ctx.signal, Object.values(connection.secrets));
    }
  };
  const keyed = (input: JsonObject, ctx: ActionContext, action: string): JsonObject => ({
    action,
    idempotency_key: idempotencyKey(input, ctx),
  });

  return {
    find_customer_by_email: {
      description: 'Finds the customer with this email (exact match); customer is null when there is none.',
      input: schema.FIND_CUSTOMER_INPUT,
      output: schema.FIND_CUSTOMER_OUTPUT,
      effect: () => 'none',
      async run(input, ctx) {
        const { value, result } = await perform(ctx, 'none', { action: 'find_customer_by_email' }, (s, o) =>
          s.customers.list({ email: input.email as string, limit: 1 }, o),
        );
        const found = value.data[0];
        return result({ found: found !== undefined, customer: found ? out.customerOutput(found) : null });
      },
    },
    create_customer: {
      description: 'Creates a customer; keyed by the step, so a retried step creates one customer.',
      input: schema.CREATE_CUSTOMER_INPUT,
      output: schema.CUSTOMER_OUTPUT,
      effect: () => 'keyed',
      async run(input, ctx) {
        const { value, result } = await perform(ctx, 'keyed', keyed(input, ctx, 'create_customer'), (s, o) =>
          s.customers.create(
            {
              email: input.email as string,
              name: input.name as string | undefined,
              metadata: metadata(input.metadata),
            },
            o,
          ),
        );
        return result(out.customerOutput(value));
      },
    },
    create_payment_intent: {
      description:
        'Creates a payment intent (confirmed at once with confirm + payment_method). Keyed by the step: a ' +
        'retried or resumed step never charges twice.',
      input: schema.CREATE_PAYMENT_INTENT_INPUT,
      output: schema.PAYMENT_INTENT_OUTPUT,
      effect: () => 'keyed',
      async run(input, ctx) {
        const request: JsonObject = {
          ...keyed(input, ctx, 'create_payment_intent'),
          amount: input.amount as number,
          currency: input.currency as string,
        };
        const { value, result } = await perform(ctx, 'keyed', request, (s, o) =>
          s.paymentIntents.create(
            {
              amount: input.amount as number,
              currency: input.currency as string,
              customer: input.customer as string | undefined,
              description: input.description as string | undefined,
              metadata: metadata(input.metadata),
              payment_method: input.payment_method as string | undefined,
              confirm: input.confirm as boolean | undefined,
            },
            o,
          ),
        );
        return result(out.paymentIntentOutput(value));
      },
    },
    confirm_payment_intent: {
      description: 'Confirms a payment intent (optionally with a payment method). Keyed by the step.',
      input: schema.CONFIRM_PAYMENT_INTENT_INPUT,
      output: schema.PAYMENT_INTENT_OUTPUT,
      effect: () => 'keyed',
      async run(input, ctx) {
        const request: JsonObject = {
          ...keyed(input, ctx, 'confirm_payment_intent'),
          payment_intent: input.id as string,
        };
        const { value, result } = await perform(ctx, 'keyed', request, (s, o) =>
          s.paymentIntents.confirm(
            input.id as string,
            { payment_method: input.payment_method as string | undefined },
            o,
          ),
        );
        return result(out.paymentIntentOutput(value));
      },
    },
    retrieve_payment_intent: {
      description: 'Reads a payment intent.',
      input: schema.RETRIEVE_PAYMENT_INTENT_INPUT,
      output: schema.PAYMENT_INTENT_OUTPUT,
      effect: () => 'none',
      async run(input, ctx) {
        const request: JsonObject = { action: 'retrieve_payment_intent', payment_intent: input.id as string };
        const { value, result } = await perform(ctx, 'none', request, (s, o) =>
          s.paymentIntents.retrieve(input.id as string, {}, o),
        );
        return result(out.paymentIntentOutput(value));
      },
    },
    create_refund: {
      description: 'Refunds a payment intent (all that is left, or amount). Keyed by the step: refunds once.',
      input: schema.CREATE_REFUND_INPUT,
      output: schema.REFUND_OUTPUT,
      effect: () => 'keyed',
      async run(input, ctx) {
        const request: JsonObject = {
          ...keyed(input, ctx, 'create_refund'),
          payment_intent: input.payment_intent as string,
        };
        if (typeof input.amount === 'number') request.amount = input.amount;
        const { value, result } = await perform(ctx, 'keyed', request, (s, o) =>
          s.refunds.create(
            {
              payment_intent: input.payment_intent as string,
              amount: input.amount as number | undefined,
              reason: input.reason as Stripe.RefundCreateParams.Reason | undefined,
              metadata: metadata(input.metadata),
            },
            o,
          ),
        );
        return result(out.refundOutput(value));
      },
    },
    payment_status: {
      description: 'Where a payment stands: its status, whether it was paid, and how much was refunded.',
      input: schema.PAYMENT_STATUS_INPUT,
      output: schema.PAYMENT_STATUS_OUTPUT,
      effect: () => 'none',
      async run(input, ctx) {
        const request: JsonObject = {
          action: 'payment_status',
          payment_intent: input.payment_intent as string,
        };
        const { value, result } = await perform(ctx, 'none', request, async (s, o) => {
          // The refunded amount lives on the charge, not on the payment intent: one call with it expanded.
          const pi = await s.paymentIntents.retrieve(
            input.payment_intent as string,
            { expand: ['latest_charge'] },
            o,
          );
          const charge = pi.latest_charge;
          const refunded =
            typeof charge === 'string'
              ? (await s.charges.retrieve(charge, {}, o)).amount_refunded
              : (charge?.amount_refunded ?? 0);
          return { pi, refunded, lastResponse: pi.lastResponse };
        });
        return result(out.paymentStatusOutput(value.pi, value.refunded));
      },
    },
  };
}

function idempotencyKey(input: JsonObject, ctx: ActionContext): string {
  const key = typeof input.idempotency_key === 'string' ? input.idempotency_key : ctx.stepKey;
  return key.length <= MAX_KEY_LENGTH ? key : `sha256-${createHash('sha256').update(key).digest('hex')}`;
}

function metadata(value: JsonObject[string] | undefined): Metadata | undefined {
  if (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))
    return undefined;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
