import type { JsonObject } from '../../core/json.js';
export const SEND_SMS_INPUT: JsonObject = {
  type: 'object',
  required: ['to', 'body'],
  additionalProperties: false,
  properties: {
    // Numbers are Twilio's to judge: a bad one fails INVALID_PHONE_NUMBER, which a recipe can map.
    to: { type: 'string', minLength: 1, maxLength: 64, description: 'Recipient, E.164 (+14155550123).' },
    body: { type: 'string', minLength: 1, maxLength: 1600 },
    from: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: "Sender, E.164; defaults to the connection's from_number.",
    },
  },
};

export const SEND_SMS_OUTPUT: JsonObject = {
  type: 'object',
  required: ['sid', 'status'],
  properties: { sid: { type: 'string' }, status: { type: 'string' } },
};

export const GET_MESSAGE_INPUT: JsonObject = {
  type: 'object',
  required: ['sid'],
  additionalProperties: false,
  properties: { sid: { type: 'string', pattern: '^[A-Za-z0-9]{2,64}$', description: 'Message SID (SM…).' } },
};

export const GET_MESSAGE_OUTPUT: JsonObject = {
  type: 'object',
  required: ['sid', 'status'],
  properties: {
    sid: { type: 'string' },
    status: { type: 'string', description: 'queued, sending, sent, delivered, undelivered, failed, …' },
    to: { type: ['string', 'null'] },
    from: { type: ['string', 'null'] },
    error_code: { type: ['integer', 'null'] },
    error_message: { type: ['string', 'null'] },
    date_sent: { type: ['string', 'null'] },
  },
};
