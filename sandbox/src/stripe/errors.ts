/** Stripe's error object: `{ error: { type, code, message, param, decline_code, … } }` with its HTTP status. */
export type StripeErrorType =
  'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error' | 'rate_limit_error';

export interface StripeErrorFields {
  code?: string;
  param?: string;
  decline_code?: string;
  /** Extra members of the error object (the failed `payment_intent`, the `charge` id, …). */
  extra?: Record<string, unknown>;
}

export class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    readonly fields: StripeErrorFields = {},
  ) {
    super(message);
  }

  get body(): { error: Record<string, unknown> } {
    const { code, param, decline_code, extra } = this.fields;
    return {
      error: {
        ...(code ? { code, doc_url: `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}` } : {}),
        ...(decline_code ? { decline_code } : {}),
        message: this.message,
        ...(param ? { param } : {}),
        ...extra,
        type: this.type,
      },
    };
  }
}

export function invalidRequest(message: string, fields: StripeErrorFields = {}, status = 400): StripeError {
  return new StripeError(status, 'invalid_request_error', message, fields);
}

export function missingParam(param: string): StripeError {
  return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

export function unknownParam(param: string): StripeError {
  return invalidRequest(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });
}

export function invalidParam(param: string, message: string, code = 'parameter_invalid_string'): StripeError {
  return invalidRequest(message, { code, param });
}

/** `GET /v1/customers/cus_x` (404, param id) or a referenced id in a request's params (400, that param). */
export function noSuch(kind: string, id: string, param = 'id'): StripeError {
  return invalidRequest(
    `No such ${kind}: '${id}'`,
    { code: 'resource_missing', param },
    param === 'id' ? 404 : 400,
  );
}

export function unexpectedState(message: string): StripeError {
  return invalidRequest(message, { code: 'payment_intent_unexpected_state' });
}
