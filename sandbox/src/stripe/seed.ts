import { newCustomer } from './objects.js';
import type { ObjectStore } from './store.js';

/** Dewy Resort guests already known to Stripe, with fixed ids so docs and tests can name them. */
export const SEED_CUSTOMERS = [
  { id: 'cus_DewyGuest00001', name: 'Maya Okafor', email: 'maya.okafor@example.com', guestId: 'G-1001' },
  { id: 'cus_DewyGuest00002', name: 'Lucas Brennan', email: 'lucas.brennan@example.com', guestId: 'G-1002' },
  { id: 'cus_DewyGuest00003', name: 'Aiko Tanaka', email: 'aiko.tanaka@example.com', guestId: 'G-1003' },
] as const;

/** Inserts the seed records into a new (empty) state; not effects, so not on the ledger. */
export function seedStripe(store: ObjectStore, nowSeconds: number): void {
  if (!store.isEmpty()) return;
  for (const guest of SEED_CUSTOMERS)
    store.insert(
      newCustomer(
        nowSeconds,
        {
          email: guest.email,
          name: guest.name,
          phone: null,
          description: 'Dewy Resort guest',
          metadata: { guest_id: guest.guestId },
        },
        guest.id,
      ),
    );
}
