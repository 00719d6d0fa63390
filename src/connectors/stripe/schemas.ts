import type { JsonObject } from '../../core/json.js';

const ID: JsonObject = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9_]+$' };
const METADATA: JsonObject = {
  type: 'object',
  maxProperties: 50,
  additionalProperties: { type: ['string', 'number'] },
  description: 'Stripe metadata (values stored as strings).',
};
const IDEMPOTENCY_KEY: JsonObject = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  description: "Idempotency-Key to send instead of the step's own key (the default).",
};
const AMOUNT: JsonObject = {
  type: 'integer',
  minimum: 1,
  description: 'In the smallest currency unit (cents).',
};

export const FIND_CUSTOMER_INPUT: JsonObject = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: { email: { type: 'string', minLength: 3 } },
};

export const CREATE_CUSTOMER_INPUT: JsonObject = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', minLength: 3 },
    name: { type: 'string' },
    metadata: METADATA,
    idempotency_key: IDEMPOTENCY_KEY,
  },
};

export const CREATE_PAYMENT_INTENT_INPUT: JsonObject = {
  type: 'object',
  required: ['amount', 'currency'],
  additionalProperties: false,
  properties: {
    amount: AMOUNT,
    currency: { type: 'string', pattern: '^[a-z]{3}$', description: 'ISO code, lower case (usd).' },
    customer: ID,
    description: { type: 'string' },
    metadata: METADATA,
    payment_method: ID,
    confirm: { type: 'boolean', description: 'Confirm at once (needs payment_method).' },
    idempotency_key: IDEMPOTENCY_KEY,
  },
};

export const CONFIRM_PAYMENT_INTENT_INPUT: JsonObject = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: ID, payment_method: ID, idempotency_key: IDEMPOTENCY_KEY },
};

export const RETRIEVE_PAYMENT_INTENT_INPUT: JsonObject = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: ID },
};

export const CREATE_REFUND_INPUT: JsonObject = {
  type: 'object',
  required: ['payment_intent'],
  additionalProperties: false,
  properties: {
    payment_intent: ID,
    amount: { ...AMOUNT, description: 'Part to refund (default: all that is left).' },
    reason: { enum: ['duplicate', 'fraudulent', 'requested_by_customer'] },
    metadata: METADATA,
    idempotency_key: IDEMPOTENCY_KEY,
  },
};

export const PAYMENT_STATUS_INPUT: JsonObject = {
  type: 'object',
  required: ['payment_intent'],
  additionalProperties: false,
  properties: { payment_intent: ID },
};

const NULLABLE_STRING: JsonObject = { type: ['string', 'null'] };

export const CUSTOMER_OUTPUT: JsonObject = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string' },
    email: NULLABLE_STRING,
    name: NULLABLE_STRING,
    metadata: { type: 'object' },
  },
};

export const FIND_CUSTOMER_OUTPUT: JsonObject = {
  type: 'object',
  required: ['found', 'customer'],
  properties: { found: { type: 'boolean' }, customer: { oneOf: [{ type: 'null' }, CUSTOMER_OUTPUT] } },
};

const PAYMENT_ERROR: JsonObject = {
  type: ['object', 'null'],
  properties: { code: NULLABLE_STRING, decline_code: NULLABLE_STRING, message: NULLABLE_STRING },
};

export const PAYMENT_INTENT_OUTPUT: JsonObject = {
  type: 'object',
  required: ['id', 'status', 'amount', 'currency'],
  properties: {
    id: { type: 'string' },
    status: {
      type: 'string',
      description:
        'requires_payment_method, requires_confirmation, requires_action, processing, requires_capture, canceled, succeeded',
    },
    amount: { type: 'integer' },
    amount_received: { type: 'integer' },
    currency: { type: 'string' },
    customer: NULLABLE_STRING,
    description: NULLABLE_STRING,
    payment_method: NULLABLE_STRING,
    latest_charge: NULLABLE_STRING,
    metadata: { type: 'object' },
    last_payment_error: PAYMENT_ERROR,
  },
};

export const REFUND_OUTPUT: JsonObject = {
  type: 'object',
  required: ['id', 'status', 'amount'],
  properties: {
    id: { type: 'string' },
    status: NULLABLE_STRING,
    amount: { type: 'integer' },
    currency: { type: 'string' },
    payment_intent: NULLABLE_STRING,
    charge: NULLABLE_STRING,
  },
};

export const PAYMENT_STATUS_OUTPUT: JsonObject = {
  type: 'object',
  required: ['payment_intent', 'status', 'paid', 'refunded'],
  properties: {
    payment_intent: { type: 'string' },
    status: { type: 'string' },
    paid: { type: 'boolean', description: 'The payment succeeded.' },
    refunded: { type: 'boolean', description: 'Everything received has been refunded.' },
    amount: { type: 'integer' },
    amount_received: { type: 'integer' },
    amount_refunded: { type: 'integer' },
    currency: { type: 'string' },
    latest_charge: NULLABLE_STRING,
    last_payment_error: PAYMENT_ERROR,
  },
};
