import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourFor } from '../../sandbox/src/shared/behaviour.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/src/shared/credentials.js';
import type { EmulatorServer } from '../../sandbox/src/shared/http.js';
import type { Effect } from '../../sandbox/src/shared/ledger.js';
import {
  startSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from '../../sandbox/src/salesforce/index.js';
import type { JsonObject } from '../../src/core/json.js';
import type { AccessToken, ActionContext, ResolvedConnection } from '../../src/connectors/connector.js';
import { createSalesforceConnector } from '../../src/connectors/salesforce/index.js';
import {
  actionContext,
  effectOf,
  expectCallError,
  sendJson,
  startServer,
  ledgerOf,
  recordingRunner,
} from './helpers.js';

const SF = SANDBOX_CREDENTIALS.salesforce;
const SECRETS = { client_id: SF.clientId, client_secret: SF.clientSecret };
const connector = createSalesforceConnector();
const started: { server: EmulatorServer; dir: string }[] = [];
/** Everything the actions returned or threw, and every token issued: scanned for secrets at the end. */
const seen: unknown[] = [];
const issuedTokens: string[] = [];
let emulator: EmulatorServer;

async function startEmulator(options: Partial<SalesforceEmulatorOptions> = {}): Promise<EmulatorServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'salesforce-connector-'));
  const server = await startSalesforceEmulator({
    port: 0,
    stateFile: path.join(dir, 'salesforce.sqlite'),
    behaviour: behaviourFor('salesforce', 'fast'),
    ...options,
  });
  started.push({ server, dir });
  return server;
}

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await connector.close?.();
  for (const { server, dir } of started) {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

type TestConnection = ResolvedConnection & { accessTokenCalls: () => number };

/**
 * A connection whose `accessToken` behaves as the vault's does for one worker: it keeps the current token
 * until it expires or is named `rejected`, and then gets one fresh token from the connector's
 * `refreshToken` (concurrent askers share that refresh).
 */
function connection(
  server: EmulatorServer = emulator,
  config: JsonObject = {},
  secrets: Record<string, string> = SECRETS,
): TestConnection {
  const base = {
    name: 'dewy_salesforce',
    connector: 'salesforce',
    config: { login_url: server.url, allow_hosts: ['127.0.0.1'], timeout: 5000, ...config },
    secrets,
  };
  let current: AccessToken | null = null;
  let refreshing: Promise<AccessToken> | null = null;
  let calls = 0;
  return {
    ...base,
    accessTokenCalls: () => calls,
    async accessToken({ rejected, signal } = {}) {
      calls++;
      if (current && current.token !== rejected && current.expiresAt > Date.now()) return current;
      refreshing ??= (connector.refreshToken as NonNullable<typeof connector.refreshToken>)(
        base,
        signal ?? new AbortController().signal,
      )
        .then((token) => {
          issuedTokens.push(token.token);
          current = token;
          return token;
        })
        .finally(() => {
          refreshing = null;
        });
      return refreshing;
    },
  };
}

let shared: TestConnection;
const ctx = (using: ResolvedConnection = (shared ??= connection()), overrides: Partial<ActionContext> = {}) =>
  actionContext(using, overrides);

const recorded = recordingRunner(connector, seen);
const run = (name: string, input: JsonObject, context: ActionContext = ctx()) =>
  recorded(name, input, context);

const output = async (name: string, input: JsonObject, context?: ActionContext) =>
  (await run(name, input, context)).output as Record<string, unknown>;

const ledger = (server = emulator) => ledgerOf<Effect>(server.url);

async function tokenCounts(server: EmulatorServer) {
  const res = await fetch(`${server.url}/_sandbox/salesforce/tokens`);
  return (await res.json()) as { issued: number; byGrant: Record<string, number>; refused: number };
}

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

const today = () => new Date().toISOString().slice(0, 10);

describe('salesforce connector: OAuth2', () => {
  it('declares its secrets and effects', () => {
    expect(connector.secretFields?.map((f) => [f.name, f.required])).toEqual([
      ['client_id', true],
      ['client_secret', true],
      ['refresh_token', false],
    ]);
    expect(effectOf(connector, 'query', {})).toBe('none');
    expect(effectOf(connector, 'get', {})).toBe('none');
    expect(effectOf(connector, 'limits', {})).toBe('none');
    expect(effectOf(connector, 'create', {})).toBe('unsafe');
    expect(effectOf(connector, 'update', {})).toBe('keyed');
    expect(effectOf(connector, 'upsert', {})).toBe('keyed');
  });

  it('gets a token with client_credentials, trusted for token_ttl, carrying the instance_url', async () => {
    const server = await startEmulator();
    const before = Date.now();
    const token = await connector.refreshToken!(
      {
        name: 'sf',
        config: { login_url: server.url, allow_hosts: ['127.0.0.1'], token_ttl: '10m' },
        secrets: SECRETS,
      },
      new AbortController().signal,
    );
    issuedTokens.push(token.token);
    expect(token.extra).toEqual({ instance_url: server.url });
    expect(token.expiresAt).toBeGreaterThanOrEqual(before + 10 * 60_000);
    expect(token.expiresAt).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
    expect((await tokenCounts(server)).byGrant).toEqual({ client_credentials: 1, refresh_token: 0 });
  });

  it('uses the refresh_token grant when the connection holds a refresh_token', async () => {
    const server = await startEmulator();
    const token = await connector.refreshToken!(
      {
        name: 'sf',
        config: { login_url: server.url, allow_hosts: ['127.0.0.1'] },
        secrets: { ...SECRETS, refresh_token: SF.refreshToken },
      },
      new AbortController().signal,
    );
    issuedTokens.push(token.token);
    expect((await tokenCounts(server)).byGrant).toEqual({ client_credentials: 0, refresh_token: 1 });
    // The default lifetime: 15 minutes.
    expect(token.expiresAt - Date.now()).toBeGreaterThan(14 * 60_000);
  });

  it('maps refused credentials to CONNECTION_AUTH_FAILED without showing them', async () => {
    for (const secrets of [
      { ...SECRETS, client_secret: 'not-the-secret-000' },
      { ...SECRETS, refresh_token: 'not-the-refresh-token-000' },
    ]) {
      const error = await expectCallError(run('limits', {}, ctx(connection(emulator, {}, secrets))), {
        code: 'CONNECTION_AUTH_FAILED',
        retrySafe: false,
      });
      expect(error.message).toMatch(/invalid_client|invalid_grant/);
      expect(inspect(error, { depth: 6 })).not.toMatch(/not-the-/);
    }
    await expectCallError(run('limits', {}, ctx(connection(emulator, {}, { client_id: SF.clientId }))), {
      code: 'CONNECTION_INVALID',
    });
    const tokenless: ResolvedConnection = {
      name: 'sf',
      connector: 'salesforce',
      config: {},
      secrets: SECRETS,
    };
    await expectCallError(run('limits', {}, ctx(tokenless)), { code: 'CONNECTION_INVALID' });
  });

  it('refreshes once on 401 when the token expired, and retries the request once', async () => {
    const server = await startEmulator({ accessTokenTtlMs: 300 });
    const conn = connection(server);
    const first = await run('query', { soql: 'SELECT Id FROM Contact LIMIT 1' }, ctx(conn));
    expect(first.response).toMatchObject({ refreshed_token: false });
    await new Promise((r) => setTimeout(r, 400));
    const second = await run('query', { soql: 'SELECT Id FROM Contact LIMIT 1' }, ctx(conn));
    expect(second.response).toMatchObject({ status: 200, refreshed_token: true });
    expect((second.output as { records: unknown[] }).records).toHaveLength(1);
    expect((await tokenCounts(server)).issued).toBe(2);
  });

  it('refreshes after the org revokes the session, even for a create (a 401 applied nothing)', async () => {
    const server = await startEmulator();
    const conn = connection(server);
    await run('limits', {}, ctx(conn));
    await fetch(`${server.url}/_sandbox/salesforce/sessions`, { method: 'DELETE' });
    const created = await run('create', { sobject: 'Case', fields: { Subject: 'Extra towels' } }, ctx(conn));
    expect(created.response).toMatchObject({ status: 201, refreshed_token: true });
    expect((await ledger(server)).filter((e) => e.operation === 'sobject.create Case')).toHaveLength(1);
    expect((await tokenCounts(server)).issued).toBe(2);
  });

  it('gives up after one refresh when the fresh token is refused too', async () => {
    let calls = 0;
    const stuck: ResolvedConnection = {
      name: 'sf',
      connector: 'salesforce',
      config: { login_url: emulator.url, allow_hosts: ['127.0.0.1'] },
      secrets: SECRETS,
      accessToken: async () => ({
        token: `00D!revoked-${++calls}`,
        expiresAt: Date.now() + 60_000,
        extra: { instance_url: emulator.url },
      }),
    };
    await expectCallError(run('limits', {}, ctx(stuck)), {
      code: 'CONNECTION_AUTH_FAILED',
      retrySafe: false,
      details: { upstream_status: 401, error_code: 'INVALID_SESSION_ID' },
    });
    expect(calls).toBe(2);
  });
});

describe('salesforce connector: actions', () => {
  it('queries with params inlined as literals; records lose their attributes', async () => {
    const result = await run('query', {
      soql: 'SELECT Id, Name, Email FROM Contact WHERE Email IN :emails ORDER BY Email',
      params: { emails: ['maya.okafor@example.com', 'lucas.brennan@example.com'] },
    });
    expect(result.output).toEqual({
      totalSize: 2,
      done: true,
      records: [
        { Id: expect.any(String), Name: 'Lucas Brennan', Email: 'lucas.brennan@example.com' },
        { Id: expect.any(String), Name: 'Maya Okafor', Email: 'maya.okafor@example.com' },
      ],
    });
    // The audit keeps the statement and the param names, not the values.
    expect(result.request).toEqual({
      method: 'GET',
      action: 'query',
      soql: 'SELECT Id, Name, Email FROM Contact WHERE Email IN :emails ORDER BY Email',
      params: ['emails'],
    });
    expect(JSON.stringify(result.request)).not.toContain('maya');
    expect(result.response).toMatchObject({
      status: 200,
      records: 2,
      api_usage: expect.stringMatching(/^\d+\/15000$/),
    });
  });

  it('reads related records and dates: today’s arrivals with their rooms', async () => {
    const out = await output('query', {
      soql:
        'SELECT Name, Status__c, Room__r.Room_Number__c FROM Booking__c ' +
        'WHERE Check_In_Date__c = :day AND Primary_Guest__r.Email = :email',
      params: { day: { date: today() }, email: 'lucas.brennan@example.com' },
    });
    expect(out.records).toEqual([
      { Name: expect.stringMatching(/^BK-/), Status__c: 'Reserved', Room__r: { Room_Number__c: '201' } },
    ]);
  });

  it('keeps an injection attempt a literal: it matches nothing', async () => {
    const all = await output('query', { soql: 'SELECT Id FROM Contact' });
    expect(all.totalSize).toBeGreaterThan(3);
    for (const email of ["x' OR Email != '", "x\\' OR Email != '", "' OR Name LIKE '%"]) {
      const out = await output('query', {
        soql: 'SELECT Id FROM Contact WHERE Email = :email',
        params: { email },
      });
      expect(out).toEqual({ totalSize: 0, done: true, records: [] });
    }
  });

  it('gets a record by id, optionally only some fields', async () => {
    const [contact] = (
      await output('query', {
        soql: 'SELECT Id FROM Contact WHERE Email = :email',
        params: { email: 'aiko.tanaka@example.com' },
      })
    ).records as { Id: string }[];
    const record = await output('get', {
      sobject: 'Contact',
      id: contact!.Id,
      fields: ['FirstName', 'Email'],
    });
    expect(record).toEqual({ FirstName: 'Aiko', Email: 'aiko.tanaka@example.com', Id: contact!.Id });
  });

  it('creates, updates and upserts records; an upsert repeated finds its record', async () => {
    const created = await output('create', {
      sobject: 'Case',
      fields: { Subject: 'Broken lamp', Priority: 'Low' },
    });
    expect(created.id).toMatch(/^500/);
    const update = { sobject: 'Case', id: created.id as string, fields: { Status: 'Working' } };
    expect(await output('update', update)).toEqual({ id: created.id });
    expect(await output('update', update)).toEqual({ id: created.id });
    expect(
      await output('get', { sobject: 'Case', id: created.id as string, fields: ['Status'] }),
    ).toMatchObject({
      Status: 'Working',
    });

    const upsert = {
      sobject: 'Case',
      external_id_field: 'External_ID__c',
      external_id: `call_x:step-${Date.now()}`,
      fields: { Subject: 'Late checkout' },
    };
    const first = await output('upsert', upsert);
    const again = await output('upsert', upsert);
    expect(first).toEqual({ id: expect.stringMatching(/^500/), created: true });
    expect(again).toEqual({ id: first.id, created: false });
    const effects = (await ledger()).filter((e) => e.idempotencyKey === upsert.external_id);
    expect(effects.map((e) => e.target)).toEqual([first.id, first.id]);
  });

  it('reads the daily API allowance', async () => {
    const out = await output('limits', {});
    const daily = out.daily_api_requests as { max: number; remaining: number; used: number };
    expect(daily.max).toBe(15_000);
    expect(daily.used).toBeGreaterThan(0);
    expect(daily.remaining).toBe(daily.max - daily.used);
  });
});

describe('salesforce connector: result pages', () => {
  const record = (n: number) => ({ attributes: { type: 'Contact', url: `/x/${n}` }, Id: `003${n}` });
  /** A stand-in instance serving a 5-record query in pages of 2, and a read whose body is not JSON. */
  const pages = () =>
    startServer((arrival, res) => {
      const page = /\/query\/01gCURSOR-(\d)$/.exec(arrival.path)?.[1];
      if (arrival.path.startsWith('/services/data/v60.0/limits')) return void res.end('<html>');
      const from = page === undefined ? 0 : Number(page);
      const done = from + 2 >= 5;
      sendJson(res, 200, {
        totalSize: 5,
        done,
        ...(done ? {} : { nextRecordsUrl: `/services/data/v60.0/query/01gCURSOR-${from + 2}` }),
        records: [from, from + 1].filter((n) => n < 5).map(record),
      });
    });
  const stub = (url: string): ResolvedConnection => ({
    name: 'sf',
    connector: 'salesforce',
    config: { allow_hosts: ['127.0.0.1'] },
    secrets: SECRETS,
    accessToken: async () => ({
      token: 'stub-token',
      expiresAt: Date.now() + 60_000,
      extra: { instance_url: url },
    }),
  });

  it('follows nextRecordsUrl up to max_records', async () => {
    const server = await pages();
    try {
      const all = await run('query', { soql: 'SELECT Id FROM Contact' }, ctx(stub(server.url)));
      expect(all.output).toEqual({
        totalSize: 5,
        done: true,
        records: [0, 1, 2, 3, 4].map((n) => ({ Id: `003${n}` })),
      });
      expect(all.response).toMatchObject({ records: 5, pages: 3 });
      const some = await run(
        'query',
        { soql: 'SELECT Id FROM Contact', max_records: 3 },
        ctx(stub(server.url)),
      );
      expect(some.output).toEqual({
        totalSize: 5,
        done: false,
        records: [0, 1, 2].map((n) => ({ Id: `003${n}` })),
      });
      expect(some.response).toMatchObject({ records: 3, pages: 2 });
      expect(server.arrivals.map((a) => a.headers.authorization)).toEqual(Array(5).fill('Bearer stub-token'));
    } finally {
      await server.close();
    }
  });

  it('treats a success without a JSON body as an upstream fault', async () => {
    const server = await pages();
    try {
      await expectCallError(run('limits', {}, ctx(stub(server.url))), {
        code: 'UPSTREAM_UNAVAILABLE',
        retrySafe: true,
      });
    } finally {
      await server.close();
    }
  });
});

describe('salesforce connector: errors', () => {
  it('maps bad SOQL and DML refusals to SALESFORCE_INVALID_REQUEST with Salesforce’s code', async () => {
    const field = await expectCallError(run('query', { soql: 'SELECT Nope__c FROM Contact' }), {
      code: 'SALESFORCE_INVALID_REQUEST',
      retrySafe: false,
      details: { error_code: 'INVALID_FIELD', upstream_status: 400 },
    });
    expect(field.message).toContain("No such column 'Nope__c'");
    await expectCallError(run('query', { soql: 'SELEC Id FROM Contact' }), {
      code: 'SALESFORCE_INVALID_REQUEST',
      details: { error_code: 'MALFORMED_QUERY' },
    });
    await expectCallError(run('create', { sobject: 'Contact', fields: { FirstName: 'Ana' } }), {
      code: 'SALESFORCE_INVALID_REQUEST',
      retrySafe: false,
      details: { error_code: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] },
    });
    // Refused before anything is sent.
    await expectCallError(run('query', { soql: 'SELECT Id FROM Contact WHERE Email = :email' }), {
      code: 'SALESFORCE_INVALID_REQUEST',
      message: 'the SOQL uses :email, which params does not give',
    });
    await expectCallError(
      run('upsert', {
        sobject: 'Case',
        external_id_field: 'External_ID__c',
        external_id: '..',
        fields: { Subject: 'x' },
      }),
      { code: 'SALESFORCE_INVALID_REQUEST' },
    );
  });

  it('maps a missing record to NOT_FOUND', async () => {
    await expectCallError(run('get', { sobject: 'Contact', id: '003000000000000AAA' }), {
      code: 'NOT_FOUND',
      status: 404,
      retrySafe: false,
    });
  });

  it('maps REQUEST_LIMIT_EXCEEDED to QUOTA_EXCEEDED, retry-safe, with a retry-after', async () => {
    const server = await startEmulator({ dailyApiLimit: 2 });
    const conn = connection(server);
    await run('limits', {}, ctx(conn));
    await run('limits', {}, ctx(conn));
    const error = await expectCallError(run('limits', {}, ctx(conn)), {
      code: 'QUOTA_EXCEEDED',
      status: 429,
      retrySafe: true,
      details: { error_code: 'REQUEST_LIMIT_EXCEEDED', api_usage: 'api-usage=2/2' },
    });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60 * 60_000);
  });

  it('maps 5xx: retry-safe for reads and keyed writes, OUTCOME_UNKNOWN for a create', async () => {
    await run('limits', {}); // a token before the faults start
    await withFaults({ error5xx: 1 }, async () => {
      await expectCallError(run('query', { soql: 'SELECT Id FROM Contact' }), {
        code: 'UPSTREAM_UNAVAILABLE',
        retrySafe: true,
      });
      await expectCallError(
        run('upsert', {
          sobject: 'Case',
          external_id_field: 'External_ID__c',
          external_id: 'E-5',
          fields: { Subject: 'x' },
        }),
        { code: 'UPSTREAM_UNAVAILABLE', retrySafe: true },
      );
      await expectCallError(run('create', { sobject: 'Case', fields: { Subject: 'x' } }), {
        code: 'OUTCOME_UNKNOWN',
        retrySafe: false,
      });
    });
  });

  it('maps 429 to RATE_LIMITED with Retry-After', async () => {
    await withFaults({ rateLimited: 1, retryAfterSeconds: 4 }, async () => {
      await expectCallError(run('query', { soql: 'SELECT Id FROM Contact' }), {
        code: 'RATE_LIMITED',
        retrySafe: true,
        retryAfterMs: 4000,
      });
    });
  });

  it('after a lost response, a create is OUTCOME_UNKNOWN but an upsert is retried into one record', async () => {
    const upsert = {
      sobject: 'Case',
      external_id_field: 'External_ID__c',
      external_id: `lost-${Date.now()}`,
      fields: { Subject: 'Pillows' },
    };
    await withFaults({ lostResponse: 1 }, async () => {
      await expectCallError(run('create', { sobject: 'Case', fields: { Subject: 'Pillows' } }), {
        code: 'OUTCOME_UNKNOWN',
        retrySafe: false,
      });
      await expectCallError(run('upsert', upsert), { code: 'UPSTREAM_UNAVAILABLE', retrySafe: true });
    });
    const retried = await output('upsert', upsert);
    expect(retried.created).toBe(false);
    const records = await output('query', {
      soql: 'SELECT Id FROM Case WHERE External_ID__c = :ext',
      params: { ext: upsert.external_id },
    });
    expect(records.records).toEqual([{ Id: retried.id }]);
  });

  it('times out a read as STEP_TIMEOUT (retry-safe) and refuses loopback without allow_hosts', async () => {
    const slow = connection(emulator, { timeout: 200 });
    await run('limits', {}, ctx(slow));
    await withFaults({ timeout: 1 }, async () => {
      await expectCallError(run('query', { soql: 'SELECT Id FROM Contact' }, ctx(slow)), {
        code: 'STEP_TIMEOUT',
        retrySafe: true,
      });
    });
    const unguarded = connection(emulator, { allow_hosts: [] });
    await expectCallError(run('limits', {}, ctx(unguarded)), { code: 'SSRF_BLOCKED', retrySafe: false });
  });

  it('never shows the client secret, refresh token or access tokens in outputs, audit summaries or errors', () => {
    expect(seen.length).toBeGreaterThan(30);
    expect(issuedTokens.length).toBeGreaterThan(3);
    const text = JSON.stringify(seen);
    for (const secret of [SF.clientId, SF.clientSecret, SF.refreshToken, ...issuedTokens]) {
      expect(text).not.toContain(secret);
    }
  });
});
