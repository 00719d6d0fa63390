import { afterEach, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres.js';
import { checkRun } from './harness/checker.js';
import { startChaosDewy, seededUuid } from './harness/dewy.js';
import { History } from './harness/history.js';
import { livenessBound } from './harness/liveness.js';
import { callWithRetries, runLoad } from './harness/mcp-client.js';
import { chaosProfile, seededRandom } from './harness/profile.js';
import { verdict } from './harness/report.js';
import { readAudit } from './harness/store-audit.js';

// The Dewy Resort recipes against the sandbox emulators with faults on: 5xx, 429 with Retry-After,
// requests never answered (the connector's timeout), and requests executed whose response is lost.
// Service requests upsert a Salesforce Case by the client's token (one Case per token, whatever the
// retries); checkouts charge through Stripe with the step key (one charge per call) and text a receipt
// through Twilio, which has no key (a lost response there ends the step OUTCOME_UNKNOWN, never a resend).
const profile = chaosProfile();
const GUESTS = [
  'lucas.brennan@example.com',
  'priya.natarajan@example.com',
  'tom.becker@example.com',
  'grace.liu@example.com',
  'omar.haddad@example.com',
];
const CHECKED_IN = ['maya.okafor@example.com', 'aiko.tanaka@example.com'];
const FAULTS = { error5xx: 0.1, rateLimited: 0.1, retryAfterSeconds: 1, timeout: 0.03, lostResponse: 0.1 };

type DewyWorld = Awaited<ReturnType<typeof startChaosDewy>>;

async function faultyDewy(world: DewyWorld, endpoint: string, label: string) {
  for (const system of ['salesforce', 'stripe', 'twilio'] as const) await world.faults(system, FAULTS);
  const random = seededRandom(profile.seed);
  const history = new History();
  const bound = livenessBound(8000);
  const options = {
    endpoints: () => [endpoint],
    requestTimeoutMs: 60_000,
    budgetMs: bound,
  };
  const checkouts = CHECKED_IN.map((email) => {
    const token = seededUuid(random);
    return callWithRetries(
      history,
      'checkout_guest',
      { guest_email: email, idempotency_token: token },
      token,
      options,
    );
  });
  await runLoad(20 * profile.load, 6, 20, async () => {
    const token = seededUuid(random);
    const args = {
      guest_email: GUESTS[Math.floor(random() * GUESTS.length)]!,
      request: 'Fresh towels, please',
      idempotency_token: token,
    };
    await callWithRetries(history, 'submit_guest_service_request', args, token, options);
  });
  await Promise.all(checkouts);
  for (const system of ['salesforce', 'stripe', 'twilio'] as const)
    await world.faults(system, { error5xx: 0, rateLimited: 0, timeout: 0, lostResponse: 0 });
  const twilio = await world.ledger('twilio');
  const result = await checkRun({
    history,
    audit: () => readAudit(world.backend),
    effects: async () => [
      // Upserts by external id: one Case (one record) per token, however often it was applied.
      {
        name: 'salesforce',
        policy: 'key-target',
        effects: (await world.ledger('salesforce')).filter((e) => e.operation.startsWith('sobject.upsert')),
      },
      {
        name: 'stripe',
        policy: 'key',
        effects: await world.ledger('stripe'),
        callOf: (e) => e.idempotencyKey?.split(':')[0] ?? null,
      },
      { name: 'twilio', policy: 'flag', effects: twilio },
    ],
    boundMs: bound,
  });
  const succeededCheckouts = (await Promise.all(checkouts)).filter((o) => o.outcome === 'ok').length;
  verdict(label, profile, result, {
    faults: FAULTS,
    twilioMessages: twilio.length,
    checkoutsSucceeded: succeededCheckouts,
  });
  // Twilio has no key: at most one text per checkout is what the platform promises (never a resend).
  expect(twilio.length).toBeLessThanOrEqual(CHECKED_IN.length);
  expect(result.figures.unknown).toBe(0);
}

describe('chaos: emulator faults on the Dewy Resort recipes', () => {
  let world: DewyWorld | null = null;
  afterEach(async () => {
    await world?.close();
    world = null;
  });

  it('SQLite, serve with 2 workers: 5xx, 429 + Retry-After, timeouts, lost responses', async () => {
    world = await startChaosDewy();
    const serve = await world.controller.serve(2);
    await faultyDewy(world, `${serve.url}/mcp/guest`, 'emulator faults, Dewy Resort (sqlite)');
  });

  describe('PostgreSQL', () => {
    const postgres = usePostgres();
    it('gateway + 2 workers: 5xx, 429 + Retry-After, timeouts, lost responses', async () => {
      world = await startChaosDewy({ postgresUrl: await postgres().createDatabase() });
      const gateway = await world.controller.gateway();
      await world.controller.worker();
      await world.controller.worker();
      await faultyDewy(world, `${gateway.url}/mcp/guest`, 'emulator faults, Dewy Resort (postgres)');
    });
  });
});
