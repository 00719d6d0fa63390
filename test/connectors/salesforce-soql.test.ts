import { describe, expect, it } from 'vitest';
import { CallError } from '../../src/core/errors.js';
import { escapeSoqlString, inlineSoqlParams } from '../../src/connectors/salesforce/soql.js';

const inline = (soql: string, params: Record<string, unknown>) =>
  inlineSoqlParams(soql, params as Parameters<typeof inlineSoqlParams>[1]);

describe('SOQL params', () => {
  it('renders each JSON type as its SOQL literal', () => {
    expect(
      inline(
        'SELECT Id FROM Contact WHERE Email = :email AND Age__c > :age AND VIP__c = :vip AND Phone = :none',
        {
          email: 'ana@example.com',
          age: 42.5,
          vip: true,
          none: null,
        },
      ),
    ).toBe(
      "SELECT Id FROM Contact WHERE Email = 'ana@example.com' AND Age__c > 42.5 AND VIP__c = TRUE AND Phone = NULL",
    );
  });

  it('renders lists for IN and explicit dates unquoted', () => {
    expect(
      inline(
        'SELECT Id FROM Booking__c WHERE Status__c IN :statuses AND Check_In__c = :day AND CreatedDate > :at',
        {
          statuses: ['Booked', "Guest's"],
          day: { date: '2024-05-01' },
          at: { datetime: '2024-05-01T14:00:00.123Z' },
        },
      ),
    ).toBe(
      "SELECT Id FROM Booking__c WHERE Status__c IN ('Booked', 'Guest\\'s') AND Check_In__c = 2024-05-01 AND CreatedDate > 2024-05-01T14:00:00Z",
    );
  });

  it('keeps an injection attempt inside one string literal', () => {
    const soql = inline('SELECT Id FROM Contact WHERE Email = :email', {
      email: "x' OR Name != '' OR Email = '\\",
    });
    expect(soql).toBe("SELECT Id FROM Contact WHERE Email = 'x\\' OR Name != \\'\\' OR Email = \\'\\\\'");
    // Reading the literal back the way SOQL does leaves exactly one literal running to the end.
    const literal = soql.slice(soql.indexOf("'"));
    expect(literal.endsWith("'")).toBe(true);
    expect(unquote(literal)).toBe("x' OR Name != '' OR Email = '\\");
  });

  it('escapes control characters and double quotes', () => {
    expect(escapeSoqlString('a\nb\r\t"c"\\')).toBe('a\\nb\\r\\t\\"c\\"\\\\');
  });

  it('leaves placeholders inside the statement’s own literals, and date literals like LAST_N_DAYS:7', () => {
    expect(
      inline(
        "SELECT Id FROM Case WHERE Subject = 'a :b \\' :c' AND CreatedDate = LAST_N_DAYS:7 AND Id = :id",
        {
          id: '500000000000001',
        },
      ),
    ).toBe(
      "SELECT Id FROM Case WHERE Subject = 'a :b \\' :c' AND CreatedDate = LAST_N_DAYS:7 AND Id = '500000000000001'",
    );
  });

  it('refuses unknown placeholders, empty lists, nested lists, odd numbers and malformed dates', () => {
    const bad: [string, Record<string, unknown>][] = [
      ['SELECT Id FROM Contact WHERE Email = :email', {}],
      ['SELECT Id FROM Contact WHERE Id IN :ids', { ids: [] }],
      ['SELECT Id FROM Contact WHERE Id IN :ids', { ids: [['a']] }],
      ['SELECT Id FROM Contact WHERE Amount__c = :n', { n: 1e21 }],
      ['SELECT Id FROM Contact WHERE Birthdate = :d', { d: { date: '2024-02-30' } }],
      ['SELECT Id FROM Contact WHERE Birthdate = :d', { d: { date: '2024-01-01', x: 1 } }],
      ['SELECT Id FROM Contact WHERE Birthdate = :d', { d: { date: "2024-01-01' OR Id != '" } }],
    ];
    for (const [soql, params] of bad) {
      let error: unknown;
      try {
        inline(soql, params);
      } catch (e) {
        error = e;
      }
      expect(error, soql).toBeInstanceOf(CallError);
      expect((error as CallError).code).toBe('SALESFORCE_INVALID_REQUEST');
      expect((error as CallError).retrySafe).toBe(false);
    }
  });
});

/** Reads one quoted SOQL literal (from its opening quote to its closing one), undoing the escapes. */
function unquote(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\') {
      out += text[++i];
    } else if (ch === "'") {
      if (i !== text.length - 1) throw new Error(`the literal ends early at ${i}: ${text}`);
      return out;
    } else {
      out += ch;
    }
  }
  throw new Error('the literal never ends');
}
