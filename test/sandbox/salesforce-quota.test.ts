import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startSalesforce, testClock, type SalesforceClient } from './salesforce-helpers.js';

let sf: SalesforceClient;
afterEach(() => sf.close());

describe('Salesforce emulator: daily API allowance', () => {
  it('counts every API call, refuses when spent with 403 REQUEST_LIMIT_EXCEEDED, and resets the next day', async () => {
    const clock = testClock();
    sf = await startSalesforce({ dailyApiLimit: 3, now: clock.now });
    const limits = await sf.get('/limits');
    expect(limits.body).toEqual({ DailyApiRequests: { Max: 3, Remaining: 2 } });
    expect(limits.headers.get('sforce-limit-info')).toBe('api-usage=1/3');
    expect((await sf.query('SELECT Id FROM Contact LIMIT 1')).headers.get('sforce-limit-info')).toBe(
      'api-usage=2/3',
    );
    expect((await sf.post('/sobjects/Contact', { LastName: 'Third' })).status).toBe(201);

    const refused = await sf.post('/sobjects/Contact', { LastName: 'Fourth' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    expect((await sf.ledger()).filter((e) => e.operation === 'sobject.create Contact')).toHaveLength(1);

    // Token requests and the versions list do not count.
    sf.resetToken();
    expect(await sf.token()).toBeTruthy();
    expect((await sendJson(`${sf.server.url}/services/data`)).status).toBe(200);
    expect((await sf.get('/limits')).status).toBe(403);

    clock.ms += 24 * 60 * 60_000;
    sf.resetToken();
    const nextDay = await sf.get('/limits');
    expect(nextDay.body).toEqual({ DailyApiRequests: { Max: 3, Remaining: 2 } });
  });

  it('defaults to 15,000 a day', async () => {
    sf = await startSalesforce();
    expect((await sf.get('/limits')).body).toEqual({ DailyApiRequests: { Max: 15000, Remaining: 14999 } });
  });
});
