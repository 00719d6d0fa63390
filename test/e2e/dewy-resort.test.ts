import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS } from '../../sandbox/src/shared/credentials.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startDewyWorld, type DewyWorld } from '../helpers/dewy-world.js';
import {
  eventually,
  FAST_RECOVERY_ENV,
  runCli,
  WORKER_PROCESSES_ONLY_ENV,
} from '../helpers/serve-process.js';
import {
  callInBackground,
  envelopeOf,
  killLeaseHolder,
  mcpClient,
  type Envelope,
} from './reliability-helpers.js';

/** Every secret the emulators accept, and so every value that must never show anywhere. */
const SECRETS = [
  SANDBOX_CREDENTIALS.salesforce.clientId,
  SANDBOX_CREDENTIALS.salesforce.clientSecret,
  SANDBOX_CREDENTIALS.salesforce.refreshToken,
  SANDBOX_CREDENTIALS.stripe.secretKey,
  SANDBOX_CREDENTIALS.twilio.authToken,
];

async function call(url: string, tool: string, args: Record<string, unknown>): Promise<Envelope> {
  const client = await mcpClient(url);
  try {
    return (await client.callTool({ name: tool, arguments: args })).structuredContent as Envelope;
  } finally {
    await client.close();
  }
}

// The Dewy Resort world end to end: the emulated Salesforce, Stripe and Twilio, the hotel recipes,
// `switchyard serve` with worker processes, MCP clients on /mcp/guest and /mcp/manager.
describe('Dewy Resort over MCP', () => {
  let world: DewyWorld;
  let store: Store;
  beforeAll(async () => {
    world = await startDewyWorld({ workers: 2, env: { ...FAST_RECOVERY_ENV, ...WORKER_PROCESSES_ONLY_ENV } });
    store = createSqliteStore({ path: path.join(world.dataDir, 'switchyard.db') });
  });
  afterAll(async () => {
    await store?.close();
    await world?.stop();
  });

  it('checks a guest in and out: one charge, one receipt; the same token again is the same call', async () => {
    const checkIn = await call(world.guestUrl, 'check_in_guest', {
      guest_email: 'lucas.brennan@example.com',
      idempotency_token: randomUUID(),
    });
    expect(checkIn).toMatchObject({ success: true });

    const token = randomUUID();
    const checkout = await call(world.guestUrl, 'checkout_guest', {
      guest_email: 'maya.okafor@example.com',
      idempotency_token: token,
    });
    expect(checkout).toMatchObject({ success: true });
    const stripe = await world.ledger('stripe');
    const charges = stripe.filter((e) => e.operation.startsWith('payment_intents.create'));
    expect(charges).toHaveLength(1);
    expect((await world.ledger('twilio')).filter((e) => e.operation === 'messages.create')).toHaveLength(1);

    const again = await call(world.guestUrl, 'checkout_guest', {
      guest_email: 'maya.okafor@example.com',
      idempotency_token: token,
    });
    expect(again.call_id).toBe(checkout.call_id);
    expect(await world.ledger('stripe')).toHaveLength(stripe.length);
  });

  it.each([
    ['nobody@example.com', 'GUEST_NOT_FOUND'],
    ['lena.fischer@example.com', 'BOOKING_NOT_FOUND'],
    ['mjohnson@example.com', 'MULTIPLE_RESERVATIONS'],
    ['sofia.ramirez@example.com', 'ROOM_NOT_VACANT'],
  ])('check-in of %s answers %s, not retry-safe', async (email, code) => {
    const result = await call(world.guestUrl, 'check_in_guest', {
      guest_email: email,
      idempotency_token: randomUUID(),
    });
    expect(result).toMatchObject({ success: false, error_code: code, retry_safe: false });
  });

  it('a worker killed between the Stripe confirm and the Salesforce update: the checkout completes, charged once', async () => {
    // Slow Salesforce down, so the call sits after the charge when the worker dies.
    await world.behaviour('salesforce', { latencyMs: [1500, 1500] });
    const before = (await world.ledger('stripe')).length;
    const client = await mcpClient(world.guestUrl);
    const pending = callInBackground(client, 'checkout_guest', {
      guest_email: 'aiko.tanaka@example.com',
      idempotency_token: randomUUID(),
    });
    const charged = await eventually(async () => {
      const effects = (await world.ledger('stripe')).slice(before);
      return effects.some((e) => e.operation.includes('confirm') || e.operation === 'payment_intents.create')
        ? effects
        : null;
    });
    expect(charged.length).toBeGreaterThan(0);
    const running = await eventually(
      async () => (await store.listCalls({ tool: 'checkout_guest', status: 'running' }))[0],
    );
    killLeaseHolder(world.server, running);
    await world.behaviour('salesforce', { latencyMs: [0, 0] });
    const { envelope } = await envelopeOf(pending);
    await client.close();
    expect(envelope).toMatchObject({ success: true });
    const payments = (await world.ledger('stripe'))
      .slice(before)
      .filter((e) => e.operation.startsWith('payment_intents.create'));
    expect(payments).toHaveLength(1);
    const attempts = await store.listAttempts(envelope.call_id!);
    expect(attempts.map((a) => a.outcome)).toContain('crashed');
  });

  it('a manager books a room for today and the guest checks in; the same token books once', async () => {
    const today = new Date().toISOString().slice(0, 10); // the emulated org's time zone is UTC
    const departure = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const before = (await world.ledger('salesforce')).length;
    const args = {
      guest_email: 'omar.haddad@example.com',
      room_number: '205',
      check_in_date: today,
      check_out_date: departure,
      number_of_guests: 2,
      idempotency_token: randomUUID(),
    };
    const booked = await call(world.managerUrl, 'create_booking', args);
    expect(booked).toMatchObject({
      success: true,
      data: { room_number: '205', nights: 2, status: 'Reserved', created: true },
    });
    const again = await call(world.managerUrl, 'create_booking', args);
    expect(again.call_id).toBe(booked.call_id);
    const effects = (await world.ledger('salesforce')).slice(before);
    expect(effects.filter((e) => e.operation === 'sobject.create Opportunity')).toHaveLength(1);
    const bookings = effects.filter((e) => e.operation === 'sobject.upsert Booking__c');
    expect(bookings).toHaveLength(1);
    expect(bookings[0]!.idempotencyKey).toBe(args.idempotency_token);

    const checkIn = await call(world.guestUrl, 'check_in_guest', {
      guest_email: 'omar.haddad@example.com',
      idempotency_token: randomUUID(),
    });
    expect(checkIn).toMatchObject({
      success: true,
      data: {
        booking: (booked.data as { booking: string }).booking,
        room_number: '205',
        status: 'Checked In',
      },
    });
  });

  it('compensate_checkout_failure refunds a checkout once, however often it is called, and reopens the stay', async () => {
    const checkout = await call(world.managerUrl, 'checkout_guest', {
      guest_email: 'tom.becker@example.com',
      idempotency_token: randomUUID(),
    });
    expect(checkout).toMatchObject({ success: true });
    const { booking, payment_intent } = checkout.data as { booking: string; payment_intent: string };
    const undo = (token: string) =>
      call(world.managerUrl, 'compensate_checkout_failure', {
        guest_email: 'tom.becker@example.com',
        booking,
        idempotency_token: token,
      });
    const token = randomUUID();
    const first = await undo(token);
    expect(first).toMatchObject({
      success: true,
      data: { booking, payment_intent, refunded_now: true, booking_status: 'Checked In' },
    });
    const repeated = await undo(token);
    expect(repeated.call_id).toBe(first.call_id);
    const second = await undo(randomUUID());
    expect(second.call_id).not.toBe(first.call_id);
    expect(second).toMatchObject({
      success: true,
      data: { booking, payment_intent, refund: null, refunded_now: false, booking_status: 'Checked In' },
    });
    const amount = (first.data as { amount_refunded: number }).amount_refunded;
    expect((second.data as { amount_refunded: number }).amount_refunded).toBe(amount);

    const refunds = (await world.ledger('stripe')).filter((e) => e.operation === 'refunds.create');
    const refundIds = refunds.map((e) => e.target);
    expect(refundIds).toEqual([(first.data as { refund: string }).refund]);

    // The stay is open again: the guest can be checked out (and charged) anew.
    const rooms = await call(world.managerUrl, 'search_rooms_on_behalf_of_staff', { status: 'Occupied' });
    expect((rooms.data as { rooms: { room_number: string; guest: string | null }[] }).rooms).toContainEqual(
      expect.objectContaining({ room_number: '302', guest: 'tom.becker@example.com' }),
    );
  });

  it('no secret in logs, audit records or CLI output', async () => {
    const calls = await store.listCalls({ limit: 1000 });
    expect(calls.length).toBeGreaterThan(0);
    let audit = '';
    for (const c of calls) {
      audit += JSON.stringify(c);
      audit += JSON.stringify(await store.listJournal(c.id));
      audit += JSON.stringify(await store.listAttempts(c.id));
    }
    const cli = [
      await runCli(['calls', 'ls', '--json', '--data-dir', world.dataDir]),
      await runCli(['calls', 'show', calls[0]!.id, '--json', '--data-dir', world.dataDir]),
      await runCli(['connections', 'ls', '--json', '--data-dir', world.dataDir]),
    ]
      .map((r) => r.stdout + r.stderr)
      .join('\n');
    for (const secret of SECRETS) {
      expect(world.server.output()).not.toContain(secret);
      expect(audit).not.toContain(secret);
      expect(cli).not.toContain(secret);
    }
  });
});

describe('Dewy Resort: Salesforce token expiry with several workers', () => {
  const TOKEN_TTL_MS = 3_000;
  let world: DewyWorld;
  beforeAll(async () => {
    world = await startDewyWorld({ workers: 3, tokenTtlMs: TOKEN_TTL_MS });
  });
  afterAll(async () => world?.stop());

  it('an expired token is refreshed once, however many workers find it expired', async () => {
    const search = (email: string) =>
      call(world.guestUrl, 'search_rooms_on_behalf_of_guest', { guest_email: email });
    expect(await search('lucas.brennan@example.com')).toMatchObject({ success: true });
    const first = (await world.tokens()).issued;
    await new Promise((r) => setTimeout(r, TOKEN_TTL_MS + 200));
    const started = Date.now();
    const results = await Promise.all(
      [
        'lucas.brennan@example.com',
        'maya.okafor@example.com',
        'aiko.tanaka@example.com',
        'priya.natarajan@example.com',
        'omar.haddad@example.com',
        'tom.becker@example.com',
      ].map((email) => search(email)),
    );
    for (const r of results) expect(r).toMatchObject({ success: true });
    // Six calls, a dozen Salesforce requests, all finding the token expired: one refresh. (Should the
    // burst outlast the new token itself, on a very loaded machine, each further lifetime may take
    // one more, never one per worker or per request.)
    const lifetimes = Math.ceil((Date.now() - started) / TOKEN_TTL_MS);
    const refreshes = (await world.tokens()).issued - first;
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect(refreshes).toBeLessThanOrEqual(lifetimes);
  });
});
