import { assertNever } from '../../core/call-status.js';
import type { StepEffect } from '../../store/store.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * How repeating a request behaves. Reads have no effect; PUT and DELETE are idempotent by HTTP semantics
 * (RFC 9110 §9.2.2), so repeating them applies the effect once; POST and PATCH can be deduplicated only
 * when the step sends its key as `Idempotency-Key` and the server honours it.
 */
export function httpEffect(method: HttpMethod, sendsIdempotencyKey: boolean): StepEffect {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
      return 'none';
    case 'PUT':
    case 'DELETE':
      return 'keyed';
    case 'POST':
    case 'PATCH':
      return sendsIdempotencyKey ? 'keyed' : 'unsafe';
    default:
      return assertNever(method);
  }
}
