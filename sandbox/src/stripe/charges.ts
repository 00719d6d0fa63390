import { ok, type Endpoint } from './endpoint.js';
import { invalidRequest } from './errors.js';
import { checkExpandable, expandObject } from './expand.js';
import { allowOnly, expandPaths } from './params.js';

/** Read-only retrieval of the objects a payment makes: its charges and payment methods. */
function retrieve(object: 'charge' | 'payment_method', path: string, label: string, param: string): Endpoint {
  return {
    method: 'GET',
    path,
    prepare(params, pathParams, ctx) {
      allowOnly(params, ['expand']);
      const expand = expandPaths(params);
      checkExpandable(object, expand);
      return () => {
        const id = pathParams.id as string;
        const value = ctx.store.get(id, object);
        if (!value)
          throw invalidRequest(`No such ${label}: '${id}'`, { code: 'resource_missing', param }, 404);
        return ok(expandObject(value, expand, ctx.store));
      };
    },
  };
}

export const chargeEndpoints: Endpoint[] = [
  retrieve('charge', '/v1/charges/:id', 'charge', 'id'),
  retrieve('payment_method', '/v1/payment_methods/:id', 'PaymentMethod', 'payment_method'),
];
