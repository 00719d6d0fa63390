import { ok, type Endpoint, type StripeContext } from './endpoint.js';
import { invalidRequest } from './errors.js';
import { checkExpandable, expandObject } from './expand.js';
import type { FormObject } from './form.js';
import { listObjects, parseList } from './lists.js';
import { newCustomer, type Customer } from './objects.js';
import { allowOnly, expandPaths, mergeMetadata, optionalMetadata, optionalString } from './params.js';

const FIELDS = ['email', 'name', 'phone', 'description'] as const;
const WRITE_PARAMS = [...FIELDS, 'metadata', 'expand'];

function customerFields(params: FormObject) {
  allowOnly(params, WRITE_PARAMS);
  const fields = Object.fromEntries(FIELDS.map((f) => [f, optionalString(params, f)])) as Record<
    (typeof FIELDS)[number],
    string | undefined
  >;
  if (fields.email !== undefined && fields.email !== '' && !/^[^\s@]+@[^\s@]+$/.test(fields.email))
    throw invalidRequest(`Invalid email address: ${fields.email}`, { code: 'email_invalid', param: 'email' });
  const expand = expandPaths(params);
  checkExpandable('customer', expand);
  return { fields, metadata: optionalMetadata(params), expand };
}

export function findCustomer(ctx: StripeContext, id: string, param = 'id'): Customer {
  const customer = ctx.store.get<Customer>(id, 'customer');
  if (!customer)
    throw invalidRequest(
      `No such customer: '${id}'`,
      { code: 'resource_missing', param },
      param === 'id' ? 404 : 400,
    );
  return customer;
}

const orNull = (value: string | undefined) => (value === undefined || value === '' ? null : value);

export const customerEndpoints: Endpoint[] = [
  {
    method: 'POST',
    path: '/v1/customers',
    prepare(params, _path, ctx) {
      const { fields, metadata, expand } = customerFields(params);
      return () => {
        const customer = newCustomer(ctx.now(), {
          email: orNull(fields.email),
          name: orNull(fields.name),
          phone: orNull(fields.phone),
          description: orNull(fields.description),
          metadata: mergeMetadata({}, metadata),
        });
        ctx.store.insert(customer);
        ctx.ledger.record('customers.create', ctx.idempotencyKey, customer.id);
        return ok(expandObject(customer, expand, ctx.store));
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers/:id',
    prepare(params, path, ctx) {
      allowOnly(params, ['expand']);
      const expand = expandPaths(params);
      checkExpandable('customer', expand);
      return () => ok(expandObject(findCustomer(ctx, path.id as string), expand, ctx.store));
    },
  },
  {
    method: 'POST',
    path: '/v1/customers/:id',
    prepare(params, path, ctx) {
      const { fields, metadata, expand } = customerFields(params);
      return () => {
        const customer = findCustomer(ctx, path.id as string);
        for (const field of FIELDS) if (fields[field] !== undefined) customer[field] = orNull(fields[field]);
        customer.metadata = mergeMetadata(customer.metadata, metadata);
        ctx.store.update(customer);
        ctx.ledger.record('customers.update', ctx.idempotencyKey, customer.id);
        return ok(expandObject(customer, expand, ctx.store));
      };
    },
  },
  {
    method: 'GET',
    path: '/v1/customers',
    prepare(params, _path, ctx) {
      const list = parseList('customer', params, ['email']);
      const email = optionalString(params, 'email');
      return () => ok(listObjects(ctx, 'customer', '/v1/customers', { email }, list));
    },
  },
];
