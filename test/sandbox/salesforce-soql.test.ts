import { beforeAll, describe, expect, it } from 'vitest';
import { Dml } from '../../sandbox/src/salesforce/dml.js';
import { RecordReader } from '../../sandbox/src/salesforce/records.js';
import { objectNamed, type ObjectDef } from '../../sandbox/src/salesforce/schema.js';
import { SEED_CONTACTS } from '../../sandbox/src/salesforce/seed-data.js';
import { seedDewyResort } from '../../sandbox/src/salesforce/seed.js';
import { SoqlError } from '../../sandbox/src/salesforce/soql/errors.js';
import { parseSoql } from '../../sandbox/src/salesforce/soql/parser.js';
import { runSoql } from '../../sandbox/src/salesforce/soql/run.js';
import { tokenize } from '../../sandbox/src/salesforce/soql/tokenizer.js';
import { RecordStore } from '../../sandbox/src/salesforce/store.js';
import { openState } from '../../sandbox/src/shared/state.js';

const TODAY = '2026-11-23';
const NOW = Date.parse(`${TODAY}T09:30:00Z`);

/** The error a statement is refused with. */
function refusal(fn: () => unknown): SoqlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SoqlError) return error;
    throw error;
  }
  throw new Error('expected a SoqlError');
}

/** Renders a value as a quoted SOQL literal, the way the platform's connector does. */
function literal(text: string): string {
  return `'${text.replace(/[\\'"]/g, (c) => `\\${c}`)}'`;
}

describe('SOQL tokenizer', () => {
  it('splits a statement into typed tokens with their offsets', () => {
    const tokens = tokenize("SELECT Id FROM Booking__c WHERE Nights >= -2 AND Day = 2026-11-23 AND s = 'x'");
    expect(tokens.map((t) => [t.kind, t.text])).toEqual([
      ['ident', 'SELECT'],
      ['ident', 'Id'],
      ['ident', 'FROM'],
      ['ident', 'Booking__c'],
      ['ident', 'WHERE'],
      ['ident', 'Nights'],
      ['op', '>='],
      ['punct', '-'],
      ['number', '2'],
      ['ident', 'AND'],
      ['ident', 'Day'],
      ['op', '='],
      ['date', '2026-11-23'],
      ['ident', 'AND'],
      ['ident', 's'],
      ['op', '='],
      ['string', "'x'"],
      ['eof', ''],
    ]);
    expect(tokens[3]?.pos).toBe(15);
  });

  it('decodes SOQL escapes in string literals and keeps the raw text for LIKE', () => {
    const [token] = tokenize(String.raw`'O\'Brien \\ \"q\" \n 50\%'`);
    expect(token).toMatchObject({
      kind: 'string',
      value: 'O\'Brien \\ "q" \n 50%',
      raw: String.raw`O\'Brien \\ \"q\" \n 50\%`,
    });
  });

  it('reads datetimes with a zone as milliseconds, and <> as an operator', () => {
    const tokens = tokenize('2026-11-23T10:00:00Z 2026-11-23T10:00:00.5+01:00 <>');
    expect(tokens[0]).toMatchObject({ kind: 'datetime', value: Date.parse('2026-11-23T10:00:00Z') });
    expect(tokens[1]).toMatchObject({ kind: 'datetime', value: Date.parse('2026-11-23T09:00:00.5Z') });
    expect(tokens[2]).toMatchObject({ kind: 'op', text: '<>' });
  });

  it('refuses unknown escapes, unterminated strings, impossible dates and stray characters', () => {
    expect(refusal(() => tokenize(String.raw`'a\qb'`)).detail).toMatch(/Illegal character sequence '\\q'/);
    expect(refusal(() => tokenize("Name = 'open")).detail).toBe("mismatched character '<EOF>' expecting '''");
    expect(refusal(() => tokenize('2026-02-30')).detail).toBe('invalid date: 2026-02-30');
    const star = refusal(() => tokenize('SELECT * FROM Contact'));
    expect(star).toMatchObject({ errorCode: 'MALFORMED_QUERY', detail: "unexpected token: '*'", pos: 7 });
    expect(refusal(() => tokenize('Id = :guest')).detail).toBe("unexpected token: ':'");
  });
});

describe('SOQL parser', () => {
  it('parses fields, relationship paths, conditions, ORDER BY, LIMIT and OFFSET', () => {
    const query = parseSoql(
      "SELECT Id, Room__r.Name FROM Booking__c WHERE (Status__c = 'Reserved' OR Status__c = 'Checked In') AND NOT Number_of_Guests__c IN (1, 2) ORDER BY Check_In_Date__c DESC NULLS FIRST, Name LIMIT 5 OFFSET 1",
    );
    expect(
      query.select.map((s) => (s.kind === 'field' ? s.field.parts.map((p) => p.text).join('.') : s.kind)),
    ).toEqual(['Id', 'Room__r.Name']);
    expect(query.from.text).toBe('Booking__c');
    expect(query.where).toMatchObject({
      kind: 'and',
      items: [
        {
          kind: 'or',
          items: [
            { kind: 'compare', op: '=' },
            { kind: 'compare', op: '=' },
          ],
        },
        { kind: 'not', item: { kind: 'in', negated: false, values: [{ value: 1 }, { value: 2 }] } },
      ],
    });
    expect(query.orderBy.map((o) => [o.descending, o.nullsLast])).toEqual([
      [true, false],
      [false, null],
    ]);
    expect([query.limit, query.offset]).toEqual([5, 1]);
  });

  it('reads literals: negative numbers, booleans, null, dates, TODAY, NOT IN, LIKE, keywords in any case', () => {
    const where = parseSoql(
      "select Id from Hotel_Room__c where Floor__c > -1 and Accessible__c = TRUE and Current_Guest__c = null and CreatedDate < tomorrow and Room_Number__c not in ('101') and Name like '1%'",
    ).where;
    expect(where).toMatchObject({
      kind: 'and',
      items: [
        { value: { kind: 'number', value: -1 } },
        { value: { kind: 'boolean', value: true } },
        { value: { kind: 'null' } },
        { value: { kind: 'relativeDate', name: 'TOMORROW', days: 1 } },
        { kind: 'in', negated: true },
        { kind: 'like', pattern: { raw: '1%' } },
      ],
    });
  });

  it('accepts SELECT COUNT()', () => {
    expect(parseSoql('SELECT COUNT() FROM Contact').select).toEqual([{ kind: 'count', pos: 7 }]);
  });

  it('refuses AND and OR mixed without parentheses, as SOQL does', () => {
    const error = refusal(() => parseSoql("SELECT Id FROM Contact WHERE A = 'a' AND B = 'b' OR C = 'c'"));
    expect(error).toMatchObject({ errorCode: 'MALFORMED_QUERY', detail: 'unexpected token: OR' });
  });

  it('refuses malformed statements at the token that is wrong', () => {
    expect(refusal(() => parseSoql('SELECT Id FROM Contact WHERE')).detail).toBe('unexpected token: <EOF>');
    expect(refusal(() => parseSoql('SELECT Id Name FROM Contact')).detail).toBe('unexpected token: Name');
    expect(refusal(() => parseSoql('SELECT Id FROM Contact LIMIT 1.5')).detail).toBe('unexpected token: 1.5');
    expect(refusal(() => parseSoql("SELECT Id FROM Contact WHERE Name = 'a' 'b'")).detail).toBe(
      "unexpected token: 'b'",
    );
    expect(refusal(() => parseSoql('SELECT From FROM Contact')).detail).toBe('unexpected token: From');
    expect(refusal(() => parseSoql('SELECT Id FROM Contact WHERE Name LIKE 5')).detail).toBe(
      'LIKE takes a quoted string',
    );
  });

  it('says plainly which SOQL the emulator does not implement', () => {
    expect(refusal(() => parseSoql('SELECT Status__c FROM Booking__c GROUP BY Status__c')).detail).toBe(
      'GROUP is not supported by the Dewy Resort emulator',
    );
    expect(refusal(() => parseSoql('SELECT MAX(Amount) FROM Opportunity')).detail).toMatch(
      /MAX\(\) is not supported/,
    );
    expect(
      refusal(() => parseSoql('SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM Case)')).detail,
    ).toMatch(/semi-join/);
  });
});

describe('SOQL evaluation against the seeded org', () => {
  let reader: RecordReader;
  let dml: Dml;
  const run = (soql: string) =>
    runSoql(soql, {
      today: TODAY,
      source: reader,
      urlOf: (row) => `/x/${row.object.name}/${String(row.record.Id)}`,
    });
  const names = (soql: string) => run(soql).records.map((r) => r.Name);
  const object = (name: string) => objectNamed(name) as ObjectDef;

  beforeAll(() => {
    const store = new RecordStore(openState(':memory:'));
    reader = new RecordReader(store);
    dml = new Dml(store, reader, () => NOW);
    seedDewyResort(dml, TODAY);
  });

  it('answers relationship fields as nested records with attributes', () => {
    const { records, totalSize } = run(
      `SELECT Id, Name, Status__c, Room__r.Name, Primary_Guest__r.Email FROM Booking__c WHERE Primary_Guest__r.Email = '${SEED_CONTACTS.checkInToday.email}'`,
    );
    expect(totalSize).toBe(1);
    const [booking] = records;
    expect(Object.keys(booking ?? {})).toEqual([
      'attributes',
      'Id',
      'Name',
      'Status__c',
      'Room__r',
      'Primary_Guest__r',
    ]);
    expect(booking).toMatchObject({
      attributes: { type: 'Booking__c' },
      Name: expect.stringMatching(/^BK-\d{4}$/),
      Status__c: 'Reserved',
      Room__r: {
        attributes: { type: 'Hotel_Room__c', url: expect.stringMatching(/^\/x\/Hotel_Room__c\/a2R/) },
        Name: '201',
      },
      Primary_Guest__r: { attributes: { type: 'Contact' }, Email: 'lucas.brennan@example.com' },
    });
  });

  it('answers a blank reference as null', () => {
    const [booking] = run(`SELECT Id FROM Booking__c WHERE Room__r.Name = '201'`).records;
    dml.update(object('Booking__c'), booking?.Id as string, { Room__c: null });
    expect(
      run(`SELECT Room__r.Name FROM Booking__c WHERE Id = '${String(booking?.Id)}'`).records[0]?.Room__r,
    ).toBeNull();
    dml.update(object('Booking__c'), booking?.Id as string, {
      Room__c: run(`SELECT Id FROM Hotel_Room__c WHERE Name = '201'`).records[0]?.Id,
    });
  });

  it('finds the bookings that start TODAY, YESTERDAY and TOMORROW', () => {
    expect(run('SELECT Id FROM Booking__c WHERE Check_In_Date__c = TODAY').totalSize).toBe(7);
    expect(run('SELECT Id FROM Booking__c WHERE Check_In_Date__c = YESTERDAY').totalSize).toBe(1);
    expect(run('SELECT Id FROM Booking__c WHERE Check_Out_Date__c = TODAY').totalSize).toBe(1);
    expect(run(`SELECT Id FROM Booking__c WHERE Check_In_Date__c = ${TODAY}`).totalSize).toBe(7);
    expect(run('SELECT Id FROM Booking__c WHERE Check_In_Date__c > TODAY').totalSize).toBe(1);
  });

  it('compares datetimes with a day keyword as the whole day, and with a datetime exactly', () => {
    expect(run('SELECT COUNT() FROM Contact WHERE CreatedDate = TODAY').totalSize).toBe(12);
    expect(run('SELECT COUNT() FROM Contact WHERE CreatedDate < TODAY').totalSize).toBe(0);
    expect(run('SELECT COUNT() FROM Contact WHERE CreatedDate >= 2026-11-23T09:30:00Z').totalSize).toBe(12);
    expect(run('SELECT COUNT() FROM Contact WHERE CreatedDate > 2026-11-23T10:30:00+01:00').totalSize).toBe(
      0,
    );
  });

  it('finds the guest with two reservations today and the booking whose room is not vacant', () => {
    const { email } = SEED_CONTACTS.multipleReservations;
    expect(
      run(`SELECT Id FROM Booking__c WHERE Primary_Guest__r.Email = '${email}' AND Check_In_Date__c = TODAY`)
        .totalSize,
    ).toBe(2);
    const [notVacant] = run(
      `SELECT Room__r.Name, Room__r.Status__c FROM Booking__c WHERE Primary_Guest__r.Email = '${SEED_CONTACTS.roomNotVacant.email}'`,
    ).records;
    expect(notVacant?.Room__r).toMatchObject({ Name: '102', Status__c: 'Cleaning' });
  });

  it('matches text without regard to case, and IN, NOT IN and LIKE', () => {
    expect(run("SELECT Id FROM Contact WHERE Email = 'LUCAS.Brennan@Example.com'").totalSize).toBe(1);
    expect(names("SELECT Name FROM Hotel_Room__c WHERE Name IN ('101', '405', '999') ORDER BY Name")).toEqual(
      ['101', '405'],
    );
    expect(
      run("SELECT Id FROM Hotel_Room__c WHERE Room_Type__c NOT IN ('Standard', 'Deluxe')").totalSize,
    ).toBe(6);
    expect(
      names("SELECT Name FROM Hotel_Room__c WHERE Name LIKE '4%' AND Name LIKE '_0_' ORDER BY Name DESC"),
    ).toEqual(['405', '404', '403', '402', '401']);
    expect(run("SELECT Id FROM Contact WHERE Email LIKE '%EXAMPLE.COM'").totalSize).toBe(11);
  });

  it('lets != and NOT IN include blank values and = null find them', () => {
    const occupied = run('SELECT Id FROM Hotel_Room__c WHERE Current_Guest__c != null').totalSize;
    expect(occupied).toBe(3);
    expect(run('SELECT Id FROM Hotel_Room__c WHERE Current_Guest__c = null').totalSize).toBe(20 - occupied);
    const withType = run("SELECT Id FROM Case WHERE Reason != 'Other'").totalSize;
    expect(withType).toBe(2);
  });

  it('orders by several keys, both directions, nulls where asked, with LIMIT and OFFSET', () => {
    expect(names('SELECT Name FROM Hotel_Room__c ORDER BY Nightly_Rate__c DESC, Name ASC LIMIT 3')).toEqual([
      '405',
      '401',
      '402',
    ]);
    expect(names('SELECT Name FROM Hotel_Room__c ORDER BY Floor__c, Name DESC LIMIT 2 OFFSET 1')).toEqual([
      '104',
      '103',
    ]);
    const rooms = run(
      'SELECT Name, Current_Guest__c FROM Hotel_Room__c ORDER BY Current_Guest__c NULLS LAST',
    ).records;
    expect(rooms.slice(0, 3).every((r) => r.Current_Guest__c !== null)).toBe(true);
    const first = run('SELECT Name, Current_Guest__c FROM Hotel_Room__c ORDER BY Current_Guest__c').records;
    expect(first[0]?.Current_Guest__c).toBeNull();
  });

  it('counts with COUNT(), and reads formula and roll-up fields', () => {
    expect(run("SELECT COUNT() FROM Hotel_Room__c WHERE Status__c = 'Vacant'")).toEqual({
      totalSize: 14,
      records: [],
    });
    expect(names('SELECT Name FROM Booking__c WHERE Total_Nights__c = 4')).toHaveLength(1);
    const [opportunity] = run(
      "SELECT Total_Nights__c, Amount FROM Opportunity WHERE Name LIKE 'Priya Natarajan%'",
    ).records;
    expect(opportunity).toMatchObject({ Total_Nights__c: 4, Amount: 4 * 259 });
  });

  it('keeps an escaped quote inside the literal: an injected condition cannot widen the result', () => {
    const injected = "x' OR Name != '";
    expect(run(`SELECT Id FROM Contact WHERE LastName = ${literal(injected)}`).totalSize).toBe(0);
    // The same text pasted in raw would have been code, not data: it widens to every contact.
    expect(run(`SELECT Id FROM Contact WHERE LastName = '${injected}'`).totalSize).toBe(12);
    const quoted = dml.create(object('Contact'), {
      LastName: "O'Brien \\ Sons",
      Email: 'obrien@example.com',
    });
    const found = run(
      `SELECT Id, LastName FROM Contact WHERE LastName = ${literal("O'Brien \\ Sons")}`,
    ).records;
    expect(found.map((r) => r.Id)).toEqual([quoted]);
    expect(found[0]?.LastName).toBe("O'Brien \\ Sons");
    expect(run(String.raw`SELECT Id FROM Contact WHERE LastName LIKE 'O\'Brien \\%'`).totalSize).toBe(1);
    expect(run(String.raw`SELECT Id FROM Contact WHERE LastName LIKE 'O\_Brien%'`).totalSize).toBe(0);
    dml.delete(object('Contact'), quoted);
  });

  it('refuses unknown objects, fields and relationships with Salesforce’s codes and caret messages', () => {
    const type = refusal(() => run('SELECT Id FROM Contct'));
    expect(type.errorCode).toBe('INVALID_TYPE');
    expect(type.describe('SELECT Id FROM Contct')).toBe(
      "\nSELECT Id FROM Contct\n               ^\nERROR at Row:1:Column:16\nsObject type 'Contct' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
    );
    const field = refusal(() => run('SELECT Id, Guest__c FROM Booking__c'));
    expect(field).toMatchObject({ errorCode: 'INVALID_FIELD', pos: 11 });
    expect(field.detail).toMatch(/^No such column 'Guest__c' on entity 'Booking__c'\./);
    const relation = refusal(() => run('SELECT Guest__r.Email FROM Booking__c'));
    expect(relation.detail).toMatch(/^Didn't understand relationship 'Guest__r' in field path\./);
    expect(refusal(() => run("SELECT Id FROM Booking__c WHERE Special_Requests__c = 'x'")).detail).toBe(
      "field 'Special_Requests__c' can not be filtered in a query call",
    );
  });

  it('refuses literals of the wrong kind for the field, as Salesforce does', () => {
    expect(refusal(() => run("SELECT Id FROM Booking__c WHERE Check_In_Date__c = '2026-11-23'")).detail).toBe(
      "value of filter criterion for field 'Check_In_Date__c' must be of type date and should not be enclosed in quotes",
    );
    expect(refusal(() => run('SELECT Id FROM Hotel_Room__c WHERE Name = 101')).detail).toBe(
      "value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes",
    );
    expect(refusal(() => run("SELECT Id FROM Opportunity WHERE Amount > '5'")).detail).toMatch(
      /must be of type double/,
    );
    expect(refusal(() => run("SELECT Id FROM Hotel_Room__c WHERE Accessible__c = 'true'")).detail).toMatch(
      /must be of type boolean/,
    );
    expect(refusal(() => run('SELECT Id FROM Contact WHERE CreatedDate = 2026-11-23')).detail).toMatch(
      /type dateTime/,
    );
    expect(
      refusal(() => run("SELECT Id FROM Booking__c WHERE Primary_Guest__c = 'not-an-id'")),
    ).toMatchObject({
      errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
      detail: 'invalid ID field: not-an-id',
    });
  });

  it('accepts 15-character ids where 18-character ones are stored', () => {
    const [contact] = run(`SELECT Id FROM Contact WHERE Email = '${SEED_CONTACTS.inHouse.email}'`).records;
    const id15 = String(contact?.Id).slice(0, 15);
    expect(run(`SELECT Id FROM Booking__c WHERE Primary_Guest__c = '${id15}'`).totalSize).toBe(1);
  });
});
