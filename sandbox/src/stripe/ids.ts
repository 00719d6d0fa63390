import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[randomInt(ALPHABET.length)];
  return text;
}

/** Ids shaped like Stripe's: `cus_` + 14 characters, `pi_`/`ch_`/`re_`/`pm_` + 24, `req_` + 14. */
export const newId = {
  customer: () => `cus_${randomText(14)}`,
  paymentIntent: () => `pi_${randomText(24)}`,
  charge: () => `ch_${randomText(24)}`,
  refund: () => `re_${randomText(24)}`,
  paymentMethod: () => `pm_${randomText(24)}`,
  clientSecret: (paymentIntentId: string) => `${paymentIntentId}_secret_${randomText(25)}`,
  request: () => `req_${randomText(14)}`,
};
