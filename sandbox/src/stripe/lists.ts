import type { StripeContext } from './endpoint.js';
import { invalidRequest } from './errors.js';
import { checkExpandable, expandList } from './expand.js';
import type { FormObject } from './form.js';
import { allowOnly, expandPaths, optionalInteger, optionalString } from './params.js';
import type { ListFilter, Page, StripeObject } from './store.js';

export const LIST_PARAMS = ['limit', 'starting_after', 'ending_before', 'expand'] as const;

/** A list endpoint's paging and expansion params, checked; `filters` are the endpoint's own params. */
export function parseList(
  object: string,
  params: FormObject,
  filters: readonly string[],
): { page: Page; expand: string[] } {
  allowOnly(params, [...LIST_PARAMS, ...filters]);
  const startingAfter = optionalString(params, 'starting_after');
  const endingBefore = optionalString(params, 'ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined)
    throw invalidRequest('You may only specify one of these parameters: ending_before, starting_after.', {
      param: 'ending_before',
    });
  const expand = expandPaths(params);
  checkExpandable(object, expand, true);
  return {
    page: {
      limit: optionalInteger(params, 'limit', { min: 1, max: 100 }) ?? 10,
      startingAfter,
      endingBefore,
    },
    expand,
  };
}

/** Stripe's list envelope: `{ object: 'list', data, has_more, url }`. */
export function listObjects(
  ctx: StripeContext,
  object: string,
  url: string,
  filter: ListFilter,
  list: { page: Page; expand: string[] },
): { object: 'list'; data: StripeObject[]; has_more: boolean; url: string } {
  for (const [param, cursor] of [
    ['starting_after', list.page.startingAfter],
    ['ending_before', list.page.endingBefore],
  ] as const)
    if (cursor !== undefined && !ctx.store.get(cursor, object))
      throw invalidRequest(`No such ${object}: '${cursor}'`, { code: 'resource_missing', param });
  const { data, hasMore } = ctx.store.list(object, filter, list.page);
  return { object: 'list', data: expandList(data, list.expand, ctx.store), has_more: hasMore, url };
}
