import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { behaviourFor } from '../../sandbox/src/shared/behaviour.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/src/shared/credentials.js';
import type { EmulatorServer } from '../../sandbox/src/shared/http.js';
import { startTwilioEmulator, type TwilioEmulatorOptions } from '../../sandbox/src/twilio/index.js';
import { ledgerOf, sendJson, setBehaviour, tempDir } from './emulator-http.js';

const { accountSid, authToken, from } = SANDBOX_CREDENTIALS.twilio;
const BASIC = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
const MESSAGES = `/2010-04-01/Accounts/${accountSid}/Messages.json`;

let server: EmulatorServer;
let cleanup: () => void;
let stateFile: string;
let now = Date.parse('2026-07-01T09:30:00Z');

async function start(options: Partial<TwilioEmulatorOptions> = {}) {
  server = await startTwilioEmulator({
    port: 0,
    stateFile,
    behaviour: behaviourFor('twilio', 'fast'),
    now: () => now,
    deliveryMs: 2000,
    ...options,
  });
}

async function begin() {
  const temp = tempDir();
  cleanup = temp.remove;
  stateFile = path.join(temp.dir, 'twilio.sqlite');
  await start();
}

afterEach(async () => {
  await server.close();
  cleanup();
});

function send(form: Record<string, string>, authorization = BASIC, pathname = MESSAGES) {
  return sendJson(`${server.url}${pathname}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

function get(pathname: string, authorization = BASIC) {
  return sendJson(`${server.url}${pathname}`, { headers: { authorization } });
}

describe('Twilio emulator: Messages', () => {
  it('creates a message (201, Twilio’s resource) and fetches it as it advances to sent and delivered', async () => {
    await begin();
    const created = await send({
      To: '+1 (415) 555-0142',
      From: from,
      Body: 'Your room 204 is ready. — Dewy Resort',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      account_sid: accountSid,
      api_version: '2010-04-01',
      to: '+14155550142',
      from,
      body: 'Your room 204 is ready. — Dewy Resort',
      status: 'queued',
      direction: 'outbound-api',
      num_segments: '1',
      num_media: '0',
      price: null,
      error_code: null,
      error_message: null,
      date_sent: null,
      date_created: 'Wed, 01 Jul 2026 09:30:00 +0000',
    });
    const sid: string = created.body.sid;
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(created.body.uri).toBe(`/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`);

    const queued = await get(created.body.uri);
    expect(queued.body.status).toBe('queued');
    now += 1000;
    const sent = await get(created.body.uri);
    expect(sent.body).toMatchObject({ status: 'sent', date_sent: 'Wed, 01 Jul 2026 09:30:01 +0000' });
    expect(sent.body.price).toBe('-0.00790');
    now += 1000;
    expect((await get(created.body.uri)).body.status).toBe('delivered');

    expect(await ledgerOf(server)).toMatchObject([
      { system: 'twilio', operation: 'messages.create', target: sid },
    ]);
  });

  it('makes every send a new message (no idempotency) and lists them newest first', async () => {
    await begin();
    const form = { To: '+14155550100', From: from, Body: 'Checkout reminder' };
    const a = await send(form);
    const b = await send(form);
    expect(a.body.sid).not.toBe(b.body.sid);
    await send({ ...form, To: '+14155550199' });
    const listed = await get(`${MESSAGES}?To=%2B14155550100&PageSize=1`);
    expect(listed.body).toMatchObject({ page: 0, page_size: 1, start: 0, end: 0, previous_page_uri: null });
    expect(listed.body.messages.map((m: { sid: string }) => m.sid)).toEqual([b.body.sid]);
    expect(listed.body.next_page_uri).toContain('Page=1');
    expect((await ledgerOf(server)).map((e) => e.operation)).toEqual([
      'messages.create',
      'messages.create',
      'messages.create',
    ]);
  });

  it('counts segments: GSM-7 160/153, UCS-2 70/67', async () => {
    await begin();
    const segments = async (Body: string) =>
      (await send({ To: '+14155550101', From: from, Body })).body.num_segments;
    expect(await segments('a'.repeat(160))).toBe('1');
    expect(await segments('a'.repeat(161))).toBe('2');
    expect(await segments('€'.repeat(80))).toBe('1');
    expect(await segments('é'.repeat(70))).toBe('1');
    expect(await segments('ł'.repeat(71))).toBe('2');
  });

  it('keeps messages across a restart', async () => {
    await begin();
    const created = await send({ To: '+14155550102', From: from, Body: 'Spa at 3pm' });
    await server.close();
    await start();
    expect((await get(created.body.uri)).body.sid).toBe(created.body.sid);
  });
});

describe('Twilio emulator: errors', () => {
  it('refuses wrong credentials with 401 and code 20003', async () => {
    await begin();
    const wrong = `Basic ${Buffer.from(`${accountSid}:not-the-token`).toString('base64')}`;
    for (const res of [
      await send({ To: '+14155550100', From: from, Body: 'x' }, wrong),
      await get(MESSAGES, ''),
      await send(
        { To: '+14155550100', From: from, Body: 'x' },
        BASIC,
        '/2010-04-01/Accounts/ACother/Messages.json',
      ),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        code: 20003,
        status: 401,
        more_info: 'https://www.twilio.com/docs/errors/20003',
      });
    }
    expect(await ledgerOf(server)).toEqual([]);
  });

  it('validates To, From and Body as Twilio does, executing nothing', async () => {
    await begin();
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ From: from, Body: 'x' }, 21604, /'To' phone number is required/],
      [{ To: '+14155550100', Body: 'x' }, 21603, /'From' phone number is required/],
      [{ To: '+14155550100', From: from }, 21602, /^Message body is required\.$/],
      [
        { To: '555-0100', From: from, Body: 'x' },
        21211,
        /^The 'To' number 555-0100 is not a valid phone number\.$/,
      ],
      [{ To: '+14155550100', From: '+14155550111', Body: 'x' }, 21606, /not a valid, SMS-capable/],
      [{ To: '+14155550100', From: from, Body: 'x'.repeat(1601) }, 21617, /1600 character limit/],
      [{ To: '+15005550001', From: from, Body: 'x' }, 21211, /not a valid phone number/],
      [{ To: '+15005550009', From: from, Body: 'x' }, 21614, /not a valid mobile number/],
    ];
    for (const [form, code, message] of cases) {
      const res = await send(form);
      expect(res.status, JSON.stringify(form)).toBe(400);
      expect(res.body).toMatchObject({
        code,
        status: 400,
        more_info: `https://www.twilio.com/docs/errors/${code}`,
      });
      expect(res.body.message).toMatch(message);
    }
    expect(await ledgerOf(server)).toEqual([]);
  });

  it('answers unknown messages and routes with 404 code 20404', async () => {
    await begin();
    const missing = await get(`/2010-04-01/Accounts/${accountSid}/Messages/SM${'0'.repeat(32)}.json`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 20404, status: 404 });
    expect((await get('/2010-04-01/Accounts/x/Calls.json')).body.code).toBe(20404);
  });

  it('lostResponse sends the message (ledger) but the client sees the connection drop', async () => {
    await begin();
    await setBehaviour(server, { faults: { lostResponse: 1 } });
    await expect(send({ To: '+14155550100', From: from, Body: 'Lost' })).rejects.toThrow();
    const effects = await ledgerOf(server);
    expect(effects).toHaveLength(1);
    await setBehaviour(server, { faults: { lostResponse: 0, error5xx: 1 } });
    expect((await send({ To: '+14155550100', From: from, Body: 'Unavailable' })).status).toBe(503);
    expect(await ledgerOf(server)).toEqual(effects);
  });
});
