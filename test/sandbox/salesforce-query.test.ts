import { afterEach, describe, expect, it } from 'vitest';
import { SEED_CONTACTS } from '../../sandbox/src/salesforce/seed-data.js';
import { API, startSalesforce, type SalesforceClient } from './salesforce-helpers.js';

let sf: SalesforceClient;
afterEach(() => sf.close());

const today = () => new Date().toISOString().slice(0, 10);

describe('Salesforce emulator: query over HTTP', () => {
  it('answers SOQL in Salesforce’s shape, relationship fields nested, with Sforce-Limit-Info', async () => {
    sf = await startSalesforce();
    const res = await sf.query(
      `SELECT Id, Name, Status__c, Check_In_Date__c, Room__r.Name, Primary_Guest__r.Email FROM Booking__c WHERE Primary_Guest__r.Email = '${SEED_CONTACTS.checkInToday.email}' AND Check_In_Date__c = TODAY`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=1/15000');
    expect(res.body).toMatchObject({ totalSize: 1, done: true });
    expect(res.body.nextRecordsUrl).toBeUndefined();
    const [booking] = res.body.records;
    expect(booking).toEqual({
      attributes: { type: 'Booking__c', url: `${API}/sobjects/Booking__c/${booking.Id as string}` },
      Id: expect.stringMatching(/^a2B5g0[0-9A-Za-z]{12}$/),
      Name: expect.stringMatching(/^BK-\d{4}$/),
      Status__c: 'Reserved',
      Check_In_Date__c: today(),
      Room__r: {
        attributes: {
          type: 'Hotel_Room__c',
          url: expect.stringMatching(/^\/services\/data\/v60\.0\/sobjects\/Hotel_Room__c\//),
        },
        Name: '201',
      },
      Primary_Guest__r: {
        attributes: { type: 'Contact', url: expect.any(String) },
        Email: 'lucas.brennan@example.com',
      },
    });
  });

  it('answers malformed SOQL, unknown fields and unknown objects with 400 and Salesforce’s codes', async () => {
    sf = await startSalesforce();
    const malformed = await sf.query('SELECT Id FROM Contact WHERE');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual([
      {
        message:
          '\nSELECT Id FROM Contact WHERE\n                            ^\nERROR at Row:1:Column:29\nunexpected token: <EOF>',
        errorCode: 'MALFORMED_QUERY',
      },
    ]);
    expect((await sf.query('SELECT Id, Guest__c FROM Booking__c')).body[0].errorCode).toBe('INVALID_FIELD');
    expect((await sf.query('SELECT Id FROM Guest__c')).body[0].errorCode).toBe('INVALID_TYPE');
    const missing = await sf.get('/query');
    expect(missing.body).toEqual([
      { message: 'A query string has to be specified', errorCode: 'MALFORMED_QUERY' },
    ]);
  });

  it('pages large results with nextRecordsUrl at the batch size asked for', async () => {
    sf = await startSalesforce({ seed: false });
    const opportunity = (
      await sf.post('/sobjects/Opportunity', {
        Name: 'Bulk',
        StageName: 'Prospecting',
        CloseDate: '2026-12-01',
      })
    ).body.id as string;
    for (let i = 0; i < 205; i++) {
      await sf.post('/sobjects/SMS_Notification__c', {
        Opportunity__c: opportunity,
        Message_Body__c: `n${i}`,
      });
    }
    const first = await sf.query('SELECT Name FROM SMS_Notification__c ORDER BY Name', {
      'sforce-query-options': 'batchSize=50',
    });
    expect(first.body).toMatchObject({ totalSize: 205, done: false });
    expect(first.body.records).toHaveLength(200);
    expect(first.body.nextRecordsUrl).toMatch(/^\/services\/data\/v60\.0\/query\/01g\w{15}-200$/);
    const second = await sf.get(first.body.nextRecordsUrl as string);
    expect(second.body).toMatchObject({ totalSize: 205, done: true });
    expect(second.body.records.map((r: { Name: string }) => r.Name)).toEqual([
      'SMS-00201',
      'SMS-00202',
      'SMS-00203',
      'SMS-00204',
      'SMS-00205',
    ]);
    const stale = await sf.get(first.body.nextRecordsUrl as string);
    expect(stale.body).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  });
});
