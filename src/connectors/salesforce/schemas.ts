import type { JsonObject } from '../../core/json.js';

// Names go into URL paths and SOQL: the patterns keep them to Salesforce API names and ids.
const API_NAME = '^[A-Za-z][A-Za-z0-9_]*$';
const SOBJECT: JsonObject = {
  type: 'string',
  pattern: API_NAME,
  description: 'API name, e.g. Contact, Booking__c.',
};
const RECORD_ID: JsonObject = {
  type: 'string',
  pattern: '^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$',
  description: 'A 15- or 18-character Salesforce id.',
};
const FIELD_VALUES: JsonObject = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: API_NAME },
  description: 'Field API names → values.',
};
const SOQL_SCALAR: JsonObject = {
  oneOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    {
      type: 'object',
      additionalProperties: false,
      required: ['date'],
      properties: { date: { type: 'string', format: 'date' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['datetime'],
      properties: { datetime: { type: 'string', format: 'date-time' } },
    },
  ],
};

export const QUERY_INPUT: JsonObject = {
  type: 'object',
  required: ['soql'],
  additionalProperties: false,
  properties: {
    soql: {
      type: 'string',
      minLength: 1,
      description: 'SOQL with :name placeholders for values; never splice values into the text.',
    },
    params: {
      type: 'object',
      propertyNames: { pattern: API_NAME },
      additionalProperties: { oneOf: [SOQL_SCALAR, { type: 'array', minItems: 1, items: SOQL_SCALAR }] },
      description:
        'Placeholder values, inlined as escaped SOQL literals: strings, numbers, booleans, null, lists (for IN), ' +
        '{"date": "YYYY-MM-DD"} or {"datetime": "…Z"} for date fields.',
    },
    max_records: {
      type: 'integer',
      minimum: 1,
      maximum: 50_000,
      description: 'Stop following result pages past this many records (default 2000).',
    },
  },
};

const RECORD: JsonObject = { type: 'object', description: 'Fields by API name (no `attributes`).' };

export const QUERY_OUTPUT: JsonObject = {
  type: 'object',
  required: ['totalSize', 'done', 'records'],
  properties: {
    totalSize: { type: 'integer' },
    done: { type: 'boolean', description: 'False when max_records cut the result short.' },
    records: { type: 'array', items: RECORD },
  },
};

export const GET_INPUT: JsonObject = {
  type: 'object',
  required: ['sobject', 'id'],
  additionalProperties: false,
  properties: {
    sobject: SOBJECT,
    id: RECORD_ID,
    fields: { type: 'array', minItems: 1, items: { type: 'string', pattern: API_NAME } },
  },
};

export const CREATE_INPUT: JsonObject = {
  type: 'object',
  required: ['sobject', 'fields'],
  additionalProperties: false,
  properties: { sobject: SOBJECT, fields: FIELD_VALUES },
};

export const UPDATE_INPUT: JsonObject = {
  type: 'object',
  required: ['sobject', 'id', 'fields'],
  additionalProperties: false,
  properties: { sobject: SOBJECT, id: RECORD_ID, fields: FIELD_VALUES },
};

export const UPSERT_INPUT: JsonObject = {
  type: 'object',
  required: ['sobject', 'external_id_field', 'external_id', 'fields'],
  additionalProperties: false,
  properties: {
    sobject: SOBJECT,
    external_id_field: {
      type: 'string',
      pattern: API_NAME,
      description: 'An External ID field, e.g. Stripe_Id__c.',
    },
    external_id: { type: ['string', 'number'], minLength: 1 },
    fields: FIELD_VALUES,
  },
};

export const ID_OUTPUT: JsonObject = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
};

export const UPSERT_OUTPUT: JsonObject = {
  type: 'object',
  required: ['id', 'created'],
  properties: { id: { type: 'string' }, created: { type: 'boolean' } },
};

export const LIMITS_INPUT: JsonObject = { type: 'object', additionalProperties: false, properties: {} };

export const LIMITS_OUTPUT: JsonObject = {
  type: 'object',
  required: ['daily_api_requests'],
  properties: {
    daily_api_requests: {
      type: 'object',
      properties: { max: { type: 'integer' }, remaining: { type: 'integer' }, used: { type: 'integer' } },
    },
  },
};
