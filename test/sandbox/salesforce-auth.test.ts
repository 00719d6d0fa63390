import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API,
  SF,
  sendJson,
  startSalesforce,
  testClock,
  type SalesforceClient,
} from './salesforce-helpers.js';

let sf: SalesforceClient;
afterEach(() => sf.close());

const clientCredentials = {
  grant_type: 'client_credentials',
  client_id: SF.clientId,
  client_secret: SF.clientSecret,
};
const refresh = {
  grant_type: 'refresh_token',
  refresh_token: SF.refreshToken,
  client_id: SF.clientId,
  client_secret: SF.clientSecret,
};

describe('Salesforce emulator: OAuth2 token endpoint', () => {
  it('issues a token for the client_credentials grant in Salesforce’s shape', async () => {
    sf = await startSalesforce();
    const res = await sf.tokenRequest(clientCredentials);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ['access_token', 'id', 'instance_url', 'issued_at', 'signature', 'token_type'].sort(),
    );
    expect(res.body).toMatchObject({ instance_url: sf.server.url, token_type: 'Bearer' });
    expect(res.body.access_token).toMatch(/^00D5g0000DewyRs![A-Za-z0-9_-]{64}$/);
    expect(res.body.id).toMatch(new RegExp(`^${sf.server.url}/id/00D\\w{15}/005\\w{15}$`));
    expect(Math.abs(Number(res.body.issued_at) - Date.now())).toBeLessThan(5000);
    const signature = createHmac('sha256', SF.clientSecret)
      .update(`${res.body.id as string}${res.body.issued_at as string}`)
      .digest('base64');
    expect(res.body.signature).toBe(signature);
  });

  it('issues a token for the refresh_token grant, without a new refresh token', async () => {
    sf = await startSalesforce();
    const res = await sf.tokenRequest(refresh);
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
    const limits = await sendJson(`${sf.server.url}${API}/limits`, {
      headers: { authorization: `Bearer ${res.body.access_token as string}` },
    });
    expect(limits.status).toBe(200);
  });

  it('refuses bad clients, secrets, refresh tokens and grants with OAuth errors', async () => {
    sf = await startSalesforce();
    const cases: [Record<string, string>, string, string][] = [
      [{ ...clientCredentials, client_secret: 'wrong' }, 'invalid_client', 'invalid client credentials'],
      [{ ...clientCredentials, client_id: 'wrong' }, 'invalid_client_id', 'client identifier invalid'],
      [{ ...refresh, refresh_token: 'wrong' }, 'invalid_grant', 'expired access/refresh token'],
      [
        { ...clientCredentials, grant_type: 'password' },
        'unsupported_grant_type',
        'grant type not supported',
      ],
    ];
    for (const [form, error, description] of cases) {
      const res = await sf.tokenRequest(form);
      expect(res.status, error).toBe(400);
      expect(res.body).toEqual({ error, error_description: description });
    }
    expect(await sf.tokenCounts()).toEqual({
      issued: 0,
      byGrant: { client_credentials: 0, refresh_token: 0 },
      refused: 4,
    });
  });
});

describe('Salesforce emulator: sessions', () => {
  it('answers a missing, unknown or malformed token with 401 INVALID_SESSION_ID', async () => {
    sf = await startSalesforce();
    const expected = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
    for (const authorization of [undefined, 'Bearer 00Dnope!nope', 'Basic abc']) {
      const res = await sendJson(`${sf.server.url}${API}/limits`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(expected);
    }
  });

  it('expires tokens after accessTokenTtlMs: the call answers 401, a refresh gives a working token', async () => {
    const clock = testClock();
    sf = await startSalesforce({ accessTokenTtlMs: 60_000, now: clock.now });
    expect((await sf.get('/limits')).status).toBe(200);
    clock.ms += 59_000;
    expect((await sf.get('/limits')).status).toBe(200);
    clock.ms += 1_000;
    const expired = await sf.get('/limits');
    expect(expired.status).toBe(401);
    expect(expired.body[0].errorCode).toBe('INVALID_SESSION_ID');
    expect(expired.headers.get('sforce-limit-info')).toBeNull();

    const refreshed = await sf.tokenRequest(refresh);
    const retried = await sendJson(`${sf.server.url}${API}/limits`, {
      headers: { authorization: `Bearer ${refreshed.body.access_token as string}` },
    });
    expect(retried.status).toBe(200);
    expect(await sf.tokenCounts()).toEqual({
      issued: 2,
      byGrant: { client_credentials: 1, refresh_token: 1 },
      refused: 0,
    });
  });

  it('revokes every session on DELETE /_sandbox/salesforce/sessions', async () => {
    sf = await startSalesforce();
    expect((await sf.get('/limits')).status).toBe(200);
    const revoked = await sendJson(`${sf.server.url}/_sandbox/salesforce/sessions`, { method: 'DELETE' });
    expect(revoked.body).toEqual({ revoked: 1 });
    expect((await sf.get('/limits')).status).toBe(401);
  });

  it('keeps sessions across a restart on the same state file', async () => {
    sf = await startSalesforce();
    const token = await sf.token();
    await sf.restart();
    const res = await sendJson(`${sf.server.url}${API}/limits`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});
