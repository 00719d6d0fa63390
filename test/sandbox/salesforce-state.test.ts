import { afterEach, describe, expect, it } from 'vitest';
import { SEED_ROOMS } from '../../sandbox/src/salesforce/seed-data.js';
import { startSalesforce, type SalesforceClient } from './salesforce-helpers.js';

let sf: SalesforceClient;
afterEach(() => sf.close());

describe('Salesforce emulator: state', () => {
  it('is seeded with the resort: rooms, guests, and bookings starting today', async () => {
    sf = await startSalesforce();
    const rooms = await sf.records('SELECT Name, Status__c FROM Hotel_Room__c ORDER BY Name');
    expect(rooms.map((r) => r.Name)).toEqual(SEED_ROOMS.map((r) => r.number));
    const guests = await sf.records("SELECT Email FROM Contact WHERE Contact_Type__c = 'Guest'");
    expect(guests).toHaveLength(10);
    const arriving = await sf.records(
      "SELECT Primary_Guest__r.Email, Room__r.Name FROM Booking__c WHERE Check_In_Date__c = TODAY AND Status__c = 'Reserved'",
    );
    expect(
      arriving.map((b) => `${b.Primary_Guest__r.Email as string} ${b.Room__r.Name as string}`).sort(),
    ).toEqual([
      'lucas.brennan@example.com 201',
      'mjohnson@example.com 202',
      'mjohnson@example.com 203',
      'priya.natarajan@example.com 301',
      'sofia.ramirez@example.com 102',
    ]);
    const opportunities = await sf.records('SELECT Id FROM Opportunity');
    const bookings = await sf.records('SELECT Opportunity__c FROM Booking__c');
    expect(new Set(bookings.map((b) => b.Opportunity__c)).size).toBe(opportunities.length);
  });

  it('keeps records across a restart on the same state file, and seeds only a new state', async () => {
    sf = await startSalesforce();
    const created = await sf.post('/sobjects/Contact', {
      LastName: 'Persisted',
      Email: 'persisted@example.com',
    });
    await sf.restart();
    const read = await sf.get(`/sobjects/Contact/${created.body.id as string}`);
    expect(read.body).toMatchObject({ LastName: 'Persisted', Email: 'persisted@example.com' });
    expect(await sf.records('SELECT Id FROM Hotel_Room__c')).toHaveLength(20);
    const next = await sf.post('/sobjects/Contact', { LastName: 'After restart' });
    expect(next.body.id).not.toBe(created.body.id);
    expect((await sf.ledger()).map((e) => e.operation)).toEqual([
      'sobject.create Contact',
      'sobject.create Contact',
    ]);
  });

  it('starts empty with seed: false', async () => {
    sf = await startSalesforce({ seed: false });
    expect((await sf.query('SELECT COUNT() FROM Contact')).body).toEqual({
      totalSize: 0,
      done: true,
      records: [],
    });
  });
});
