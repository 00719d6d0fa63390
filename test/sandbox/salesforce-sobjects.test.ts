import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_CASE_IDS, SEED_CONTACTS } from '../../sandbox/src/salesforce/seed-data.js';
import { API, sendJson, setBehaviour, startSalesforce, type SalesforceClient } from './salesforce-helpers.js';

let sf: SalesforceClient;
beforeAll(async () => {
  sf = await startSalesforce();
});
afterAll(() => sf.close());

async function idOf(soql: string): Promise<string> {
  const [record] = await sf.records(soql);
  return record.Id as string;
}

const roomId = (number: string) => idOf(`SELECT Id FROM Hotel_Room__c WHERE Name = '${number}'`);
const contactId = (email: string) => idOf(`SELECT Id FROM Contact WHERE Email = '${email}'`);

describe('Salesforce emulator: create, read, update, delete', () => {
  it('creates a record (201), reads it back with every field, and records the effect', async () => {
    const guest = await contactId(SEED_CONTACTS.inHouse.email);
    const created = await sf.post('/sobjects/Case', {
      Subject: 'Broken hair dryer',
      ContactId: guest,
      Room__c: await roomId('305'),
      Origin: 'Web',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^5005g0[0-9A-Za-z]{12}$/),
      success: true,
      errors: [],
    });
    const id = created.body.id as string;

    const read = await sf.get(`/sobjects/Case/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      attributes: { type: 'Case', url: `${API}/sobjects/Case/${id}` },
      Id: id,
      Subject: 'Broken hair dryer',
      Status: 'New',
      Priority: 'Medium',
      ContactId: guest,
      Booking__c: null,
      IsEscalated: false,
      CaseNumber: expect.stringMatching(/^\d{8}$/),
      CreatedDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/),
    });
    expect(read.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);

    const effects = (await sf.ledger()).filter((e) => e.target === id);
    expect(effects).toEqual([
      expect.objectContaining({
        system: 'salesforce',
        operation: 'sobject.create Case',
        idempotencyKey: null,
      }),
    ]);
  });

  it('reads only the fields asked for (with Id), and accepts 15-character ids', async () => {
    const id = await roomId('101');
    const res = await sf.get(`/sobjects/Hotel_Room__c/${id.slice(0, 15)}?fields=Name,status__c`);
    expect(res.body).toEqual({
      attributes: { type: 'Hotel_Room__c', url: `${API}/sobjects/Hotel_Room__c/${id}` },
      Name: '101',
      Status__c: 'Occupied',
      Id: id,
    });
    const unknown = await sf.get(`/sobjects/Hotel_Room__c/${id}?fields=Name,Colour__c`);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual([
      { message: "No such column 'Colour__c' on sobject of type Hotel_Room__c", errorCode: 'INVALID_FIELD' },
    ]);
  });

  it('updates with PATCH (204) and records sobject.update', async () => {
    const id = await idOf(
      `SELECT Id FROM Booking__c WHERE Primary_Guest__r.Email = '${SEED_CONTACTS.checkInTodayToo.email}'`,
    );
    const res = await sf.patch(`/sobjects/Booking__c/${id}`, {
      Status__c: 'Checked In',
      Number_of_Guests__c: '2',
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    const read = await sf.get(
      `/sobjects/Booking__c/${id}?fields=Status__c,Number_of_Guests__c,Total_Nights__c`,
    );
    expect(read.body).toMatchObject({ Status__c: 'Checked In', Number_of_Guests__c: 2, Total_Nights__c: 4 });
    expect(await sf.ledger()).toContainEqual(
      expect.objectContaining({ operation: 'sobject.update Booking__c', target: id }),
    );
  });

  it('deletes (204), cascading to master-detail children; then answers 404', async () => {
    const opportunity = (
      await sf.post('/sobjects/Opportunity', {
        Name: 'Walk-in',
        StageName: 'Prospecting',
        CloseDate: '2026-12-01',
      })
    ).body.id as string;
    const booking = (await sf.post('/sobjects/Booking__c', { Opportunity__c: opportunity })).body
      .id as string;
    expect((await sf.delete(`/sobjects/Opportunity/${opportunity}`)).status).toBe(204);
    for (const [type, id] of [
      ['Opportunity', opportunity],
      ['Booking__c', booking],
    ]) {
      const gone = await sf.get(`/sobjects/${type}/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual([
        { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
      ]);
    }
    expect(await sf.ledger()).toContainEqual(
      expect.objectContaining({ operation: 'sobject.delete Opportunity', target: opportunity }),
    );
  });

  it('answers unknown ids, ids of another object, unknown types and unknown URLs with 404 NOT_FOUND', async () => {
    const contact = await contactId(SEED_CONTACTS.noBookings.email);
    for (const path of [
      '/sobjects/Contact/0035g0000000zzz',
      `/sobjects/Case/${contact}`,
      '/sobjects/Guest__c/0035g0000000001AAA',
      '/nothing/here',
    ]) {
      const res = await sf.get(path);
      expect(res.status, path).toBe(404);
      expect(res.body[0].errorCode).toBe('NOT_FOUND');
    }
    expect((await sf.get('/services/data/latest/limits')).status).toBe(404);
  });
});

describe('Salesforce emulator: field validation', () => {
  const refusal = async (path: string, body: unknown, method: 'POST' | 'PATCH' = 'POST') => {
    const res = await sf.call(method, path, body);
    expect(res.status).toBe(400);
    return res.body[0] as { errorCode: string; message: string; fields?: string[] };
  };

  it('refuses unknown and read-only fields', async () => {
    expect(await refusal('/sobjects/Booking__c', { Guest__c: 'x' })).toEqual({
      message: "No such column 'Guest__c' on sobject of type Booking__c",
      errorCode: 'INVALID_FIELD',
    });
    const readOnly = await refusal('/sobjects/Booking__c', { Name: 'BK-9999', Total_Nights__c: 3 });
    expect(readOnly).toMatchObject({
      errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      fields: ['Name', 'Total_Nights__c'],
    });
  });

  it('refuses missing required fields, naming them all', async () => {
    expect(await refusal('/sobjects/Opportunity', { Name: 'x' })).toEqual({
      message: 'Required fields are missing: [StageName, CloseDate]',
      errorCode: 'REQUIRED_FIELD_MISSING',
      fields: ['StageName', 'CloseDate'],
    });
    expect((await refusal('/sobjects/Booking__c', {})).fields).toEqual(['Opportunity__c']);
    const contact = await contactId(SEED_CONTACTS.noBookings.email);
    expect((await refusal(`/sobjects/Contact/${contact}`, { LastName: null }, 'PATCH')).errorCode).toBe(
      'REQUIRED_FIELD_MISSING',
    );
  });

  it('checks restricted picklists, and stores values of unrestricted standard picklists', async () => {
    const room = await roomId('202');
    expect(await refusal(`/sobjects/Hotel_Room__c/${room}`, { Status__c: 'Dirty' }, 'PATCH')).toEqual({
      message: 'Status: bad value for restricted picklist field: Dirty',
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      fields: ['Status__c'],
    });
    expect(
      (await refusal(`/sobjects/Hotel_Room__c/${room}`, { Status__c: 'vacant' }, 'PATCH')).errorCode,
    ).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const created = await sf.post('/sobjects/Case', { Subject: 'Spa booking', Type: 'Concierge' });
    expect(created.status).toBe(201);
  });

  it('checks references: malformed ids, ids of the wrong object, ids of no record', async () => {
    const contact = await contactId(SEED_CONTACTS.noBookings.email);
    expect(await refusal('/sobjects/Case', { Room__c: 'room-101' })).toMatchObject({
      errorCode: 'MALFORMED_ID',
      message: 'Room: id value of incorrect type: room-101',
    });
    expect((await refusal('/sobjects/Case', { Room__c: contact })).errorCode).toBe(
      'FIELD_INTEGRITY_EXCEPTION',
    );
    expect((await refusal('/sobjects/Case', { Room__c: 'a2R5g0000000zzz' })).errorCode).toBe(
      'INVALID_CROSS_REFERENCE_KEY',
    );
  });

  it('checks dates, numbers, emails, lengths and unique fields', async () => {
    expect(
      (await refusal('/sobjects/Opportunity', { Name: 'x', StageName: 'y', CloseDate: '23/11/2026' }))
        .errorCode,
    ).toBe('JSON_PARSER_ERROR');
    expect(
      (
        await refusal('/sobjects/Opportunity', {
          Name: 'x',
          StageName: 'y',
          CloseDate: '2026-11-23',
          Amount: 'lots',
        })
      ).errorCode,
    ).toBe('JSON_PARSER_ERROR');
    expect(await refusal('/sobjects/Contact', { LastName: 'x', Email: 'not-an-email' })).toMatchObject({
      errorCode: 'INVALID_EMAIL_ADDRESS',
      fields: ['Email'],
    });
    expect((await refusal('/sobjects/Case', { Subject: 's'.repeat(256) })).errorCode).toBe('STRING_TOO_LONG');
    const duplicate = await refusal('/sobjects/Contact', {
      LastName: 'Twin',
      Unique_Email__c: SEED_CONTACTS.checkInToday.email,
    });
    expect(duplicate.errorCode).toBe('DUPLICATE_VALUE');
    expect(duplicate.message).toMatch(
      /^duplicate value found: Unique_Email__c duplicates value on record with id: 003/,
    );
    expect((await refusal('/sobjects/Case', '[1, 2]')).errorCode).toBe('JSON_PARSER_ERROR');
    expect((await refusal('/sobjects/Case', '{"Subject": ')).errorCode).toBe('JSON_PARSER_ERROR');
  });
});

describe('Salesforce emulator: upsert by external id', () => {
  it('creates (201, created: true), then updates the same record (200, created: false)', async () => {
    const key = '7d0c7c1e-5a0b-4c51-9d3e-2f3c4b5a6d7e';
    const first = await sf.patch(`/sobjects/Case/External_ID__c/${key}`, {
      Subject: 'Late checkout request',
      Status: 'New',
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^500/),
      success: true,
      errors: [],
      created: true,
    });
    const second = await sf.patch(`/sobjects/Case/External_ID__c/${key.toUpperCase()}`, {
      Status: 'Working',
    });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ id: first.body.id, success: true, errors: [], created: false });

    const read = await sf.get(`/sobjects/Case/${first.body.id as string}`);
    expect(read.body).toMatchObject({
      External_ID__c: key,
      Subject: 'Late checkout request',
      Status: 'Working',
    });
    const effects = (await sf.ledger()).filter((e) => e.target === first.body.id);
    expect(effects.map((e) => [e.operation, e.idempotencyKey])).toEqual([
      ['sobject.upsert Case', key],
      ['sobject.upsert Case', key.toUpperCase()],
    ]);
  });

  it('matches contacts by the Unique_Email__c external id and by Email (an idLookup field)', async () => {
    const { email } = SEED_CONTACTS.noBookings;
    const seeded = await contactId(email);
    const byUnique = await sf.patch(`/sobjects/Contact/Unique_Email__c/${email}`, {
      Loyalty_Number__c: 'G-2001',
    });
    expect(byUnique.body).toMatchObject({ id: seeded, created: false });
    const byEmail = await sf.patch(
      `/sobjects/Contact/Email/${encodeURIComponent('OMAR.haddad@example.com')}`,
      {
        MobilePhone: '+14155550999',
      },
    );
    expect(byEmail.body).toMatchObject({ id: seeded, created: false });
    const fresh = await sf.patch('/sobjects/Contact/Unique_Email__c/new.guest@example.com', {
      LastName: 'Guest',
    });
    expect(fresh.status).toBe(201);
    expect(
      (await sf.get(`/sobjects/Contact/${fresh.body.id as string}?fields=Unique_Email__c`)).body
        .Unique_Email__c,
    ).toBe('new.guest@example.com');
  });

  it('reads a record by external id', async () => {
    const res = await sf.get(`/sobjects/Case/External_ID__c/${SEED_CASE_IDS.towels}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      Subject: 'Extra towels and pillows',
      External_ID__c: SEED_CASE_IDS.towels,
    });
    expect((await sf.get('/sobjects/Case/External_ID__c/no-such-case')).status).toBe(404);
  });

  it('refuses fields that are not external ids, and a body that contradicts the URL', async () => {
    const res = await sf.patch('/sobjects/Contact/LastName/Haddad', { FirstName: 'O' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual([
      {
        message: 'Provided external ID field does not exist or is not accessible: LastName',
        errorCode: 'NOT_FOUND',
      },
    ]);
    expect((await sf.patch('/sobjects/Contact/Nope__c/x', {})).status).toBe(404);
    const contradiction = await sf.patch('/sobjects/Case/External_ID__c/abc', { External_ID__c: 'xyz' });
    expect(contradiction.status).toBe(400);
    expect(contradiction.body[0].errorCode).toBe('INVALID_FIELD');
    const same = await sf.patch('/sobjects/Case/External_ID__c/abc', {
      External_ID__c: 'abc',
      Subject: 'Same',
    });
    expect(same.status).toBe(201);
  });

  it('answers 300 with the matching records when several share a non-unique external id', async () => {
    const opportunity = (
      await sf.post('/sobjects/Opportunity', {
        Name: 'Group',
        StageName: 'Prospecting',
        CloseDate: '2026-12-01',
      })
    ).body.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      ids.push(
        (await sf.post('/sobjects/Booking__c', { Opportunity__c: opportunity, External_ID__c: 'GROUP-1' }))
          .body.id,
      );
    }
    const before = (await sf.ledger()).length;
    const res = await sf.patch('/sobjects/Booking__c/External_ID__c/GROUP-1', { Status__c: 'Cancelled' });
    expect(res.status).toBe(300);
    expect(res.body).toEqual(ids.map((id) => `${API}/sobjects/Booking__c/${id}`));
    expect((await sf.ledger()).length).toBe(before);
  });

  it('executes an upsert whose response is lost; the retry finds the record the first try made', async () => {
    const key = 'lost-response-1';
    await setBehaviour(sf.server, { faults: { lostResponse: 1 } });
    try {
      await expect(
        sendJson(`${sf.server.url}${API}/sobjects/Case/External_ID__c/${key}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${await sf.token()}`, 'content-type': 'application/json' },
          body: JSON.stringify({ Subject: 'Iron and board' }),
        }),
      ).rejects.toThrow();
    } finally {
      await setBehaviour(sf.server, { faults: { lostResponse: 0 } });
    }
    const retry = await sf.patch(`/sobjects/Case/External_ID__c/${key}`, { Subject: 'Iron and board' });
    expect(retry.body.created).toBe(false);
    expect(await sf.records(`SELECT Id FROM Case WHERE External_ID__c = '${key}'`)).toHaveLength(1);
    const upserts = (await sf.ledger()).filter((e) => e.idempotencyKey === key);
    expect(upserts.map((e) => e.target)).toEqual([retry.body.id, retry.body.id]);
  });
});
