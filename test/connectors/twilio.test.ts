import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourFor } from '../../sandbox/src/shared/behaviour.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/src/shared/credentials.js';
import type { EmulatorServer } from '../../sandbox/src/shared/http.js';
import type { Effect } from '../../sandbox/src/shared/ledger.js';
import { startTwilioEmulator } from '../../sandbox/src/twilio/index.js';
import type { JsonObject } from '../../src/core/json.js';
import type { ActionContext, ResolvedConnection } from '../../src/connectors/connector.js';
import { createTwilioConnector } from '../../src/connectors/twilio/index.js';
import { actionContext, effectOf, expectCallError, ledgerOf, recordingRunner } from './helpers.js';

const { accountSid, authToken, from: FROM } = SANDBOX_CREDENTIALS.twilio;
const GUEST = '+14155550123';
const connector = createTwilioConnector();
let emulator: EmulatorServer;
let dir: string;
/** Everything the actions returned or threw, scanned for the credentials at the end. */
const seen: unknown[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'twilio-connector-'));
  emulator = await startTwilioEmulator({
    port: 0,
    stateFile: path.join(dir, 'twilio.sqlite'),
    behaviour: behaviourFor('twilio', 'fast'),
    deliveryMs: 300,
  });
});

afterAll(async () => {
  await connector.close?.();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

function connection(config: JsonObject = {}, secrets: Record<string, string> = {}): ResolvedConnection {
  return {
    name: 'dewy_twilio',
    connector: 'twilio',
    config: {
      base_url: emulator.url,
      allow_hosts: ['127.0.0.1'],
      from_number: FROM,
      timeout: 5000,
      ...config,
    },
    secrets: { account_sid: accountSid, auth_token: authToken, ...secrets },
  };
}

const ctx = (using: ResolvedConnection = connection(), overrides: Partial<ActionContext> = {}) =>
  actionContext(using, overrides);

const recorded = recordingRunner(connector, seen);
const run = (name: string, input: JsonObject, context: ActionContext = ctx()) =>
  recorded(name, input, context);

const ledger = () => ledgerOf<Effect>(emulator.url);

async function withFaults(faults: Record<string, number>, fn: () => Promise<void>): Promise<void> {
  const put = (body: object) =>
    fetch(`${emulator.url}/_sandbox/behaviour`, { method: 'PUT', body: JSON.stringify(body) });
  await put({ faults });
  try {
    await fn();
  } finally {
    await put({ faults: { error5xx: 0, rateLimited: 0, timeout: 0, lostResponse: 0, retryAfterSeconds: 1 } });
  }
}

describe('twilio connector: actions', () => {
  it('declares its effects: a send cannot be deduplicated', () => {
    expect(effectOf(connector, 'send_sms', {})).toBe('unsafe');
    expect(effectOf(connector, 'get_message', {})).toBe('none');
    expect(connector.secretFields?.map((f) => f.name)).toEqual(['account_sid', 'auth_token']);
  });

  it('sends an SMS from the connection’s number and reads its delivery status', async () => {
    const sent = await run('send_sms', { to: GUEST, body: 'Your room 204 is ready. Welcome to Dewy!' });
    expect(sent.output).toEqual({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued' });
    const sid = (sent.output as { sid: string }).sid;
    // The audit keeps the numbers and the length, not the text.
    expect(sent.request).toEqual({
      method: 'POST',
      action: 'send_sms',
      to: GUEST,
      from: FROM,
      body_chars: 40,
    });
    expect(JSON.stringify(sent)).not.toContain('room 204');
    expect((await ledger()).filter((e) => e.target === sid).map((e) => e.operation)).toEqual([
      'messages.create',
    ]);

    const read = await run('get_message', { sid });
    expect(read.output).toMatchObject({ sid, to: GUEST, from: FROM, error_code: null });
    await new Promise((r) => setTimeout(r, 350));
    expect((await run('get_message', { sid })).output).toMatchObject({ sid, status: 'delivered' });
  });

  it('takes an explicit from, and refuses a send with no sender at all', async () => {
    const noFrom: ResolvedConnection = {
      ...connection(),
      config: { base_url: emulator.url, allow_hosts: ['127.0.0.1'] },
    };
    const sent = await run('send_sms', { to: GUEST, body: 'Hi', from: FROM }, ctx(noFrom));
    expect((sent.output as { status: string }).status).toBe('queued');
    await expectCallError(run('send_sms', { to: GUEST, body: 'Hi' }, ctx(noFrom)), {
      code: 'TWILIO_INVALID_REQUEST',
      retrySafe: false,
    });
  });
});

describe('twilio connector: errors', () => {
  it('maps invalid numbers (21211, 21614) to INVALID_PHONE_NUMBER, final', async () => {
    for (const to of ['+15005550001', 'not-a-number', '+15005550009']) {
      const error = await expectCallError(run('send_sms', { to, body: 'Hi' }), {
        code: 'INVALID_PHONE_NUMBER',
        status: 400,
        retrySafe: false,
      });
      expect(error.message).toMatch(/^Twilio refused the phone number \(21(211|614): /);
    }
  });

  it('maps other refusals to TWILIO_INVALID_REQUEST with Twilio’s code', async () => {
    const error = await expectCallError(run('send_sms', { to: '+15005550004', body: 'Hi' }), {
      code: 'TWILIO_INVALID_REQUEST',
      retrySafe: false,
      details: { upstream_status: 400, twilio_code: 21610 },
    });
    expect(error.message).toContain('21610: Attempt to send to unsubscribed recipient');
  });

  it('maps 20003 to CONNECTION_AUTH_FAILED without showing the credentials', async () => {
    for (const secrets of [
      { auth_token: 'wrong-token-123456' } as Record<string, string>,
      { account_sid: 'AC0000000000000000000000000000dead' },
    ]) {
      const error = await expectCallError(
        run('send_sms', { to: GUEST, body: 'Hi' }, ctx(connection({}, secrets))),
        {
          code: 'CONNECTION_AUTH_FAILED',
          retrySafe: false,
          details: { twilio_code: 20003 },
        },
      );
      expect(inspect(error, { depth: 6 })).not.toContain(Object.values(secrets)[0]);
    }
    await expectCallError(run('send_sms', { to: GUEST, body: 'Hi' }, ctx({ ...connection(), secrets: {} })), {
      code: 'CONNECTION_INVALID',
    });
  });

  it('maps an unknown message to NOT_FOUND, with the account SID scrubbed from Twilio’s message', async () => {
    const error = await expectCallError(run('get_message', { sid: `SM${'0'.repeat(32)}` }), {
      code: 'NOT_FOUND',
      status: 404,
      retrySafe: false,
    });
    expect(error.message).toContain('/Accounts/[REDACTED]/Messages/');
  });

  it('maps a 5xx to OUTCOME_UNKNOWN on a send (it may have gone out) and to retry-safe on a read', async () => {
    await withFaults({ error5xx: 1 }, async () => {
      await expectCallError(run('send_sms', { to: GUEST, body: 'Hi' }), {
        code: 'OUTCOME_UNKNOWN',
        retrySafe: false,
      });
      await expectCallError(run('get_message', { sid: `SM${'0'.repeat(32)}` }), {
        code: 'UPSTREAM_UNAVAILABLE',
        retrySafe: true,
      });
    });
  });

  it('maps a send whose response was lost to OUTCOME_UNKNOWN: Twilio did send it', async () => {
    const before = (await ledger()).length;
    await withFaults({ lostResponse: 1 }, async () => {
      await expectCallError(run('send_sms', { to: GUEST, body: 'Hi' }), {
        code: 'OUTCOME_UNKNOWN',
        retrySafe: false,
      });
    });
    expect((await ledger()).slice(before).map((e) => e.operation)).toEqual(['messages.create']);
  });

  it('maps a send that timed out to OUTCOME_UNKNOWN and a read that timed out to STEP_TIMEOUT', async () => {
    const slow = ctx(connection({ timeout: 200 }));
    await withFaults({ timeout: 1 }, async () => {
      await expectCallError(run('send_sms', { to: GUEST, body: 'Hi' }, slow), {
        code: 'OUTCOME_UNKNOWN',
        retrySafe: false,
      });
      await expectCallError(run('get_message', { sid: `SM${'0'.repeat(32)}` }, slow), {
        code: 'STEP_TIMEOUT',
        retrySafe: true,
      });
    });
  });

  it('maps 429 to RATE_LIMITED with Retry-After: Twilio did not process the request', async () => {
    await withFaults({ rateLimited: 1, retryAfterSeconds: 2 }, async () => {
      await expectCallError(run('send_sms', { to: GUEST, body: 'Hi' }), {
        code: 'RATE_LIMITED',
        retrySafe: true,
        retryAfterMs: 2000,
      });
    });
  });

  it('keeps a send that never connected retry-safe, and refuses loopback without allow_hosts', async () => {
    const port = await freePort();
    const refused = connection({ base_url: `http://127.0.0.1:${port}` });
    await expectCallError(run('send_sms', { to: GUEST, body: 'Hi' }, ctx(refused)), {
      code: 'UPSTREAM_UNAVAILABLE',
      retrySafe: true,
    });
    const unguarded: ResolvedConnection = {
      ...connection(),
      config: { base_url: emulator.url, from_number: FROM },
    };
    await expectCallError(run('send_sms', { to: GUEST, body: 'Hi' }, ctx(unguarded)), {
      code: 'SSRF_BLOCKED',
      retrySafe: false,
    });
  });

  it('never shows the account SID or auth token in outputs, audit summaries or errors', () => {
    expect(seen.length).toBeGreaterThan(15);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(accountSid);
    expect(text).not.toContain(authToken);
    expect(text).not.toContain(Buffer.from(`${accountSid}:${authToken}`).toString('base64'));
  });
});

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
