/**
 * Salesforce record ids: 15 case-sensitive characters (key prefix, instance, reserved digit, a base-62
 * number) plus a 3-character suffix that encodes the case of the first 15, making the 18-character form
 * safe for case-insensitive systems. The emulator issues 18-character ids and accepts both forms.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
/** Instance and reserved character of every id this org issues. */
const POD = '5g0';

/** The Dewy Resort org and its integration user. */
export const ORG_ID = to18('00D5g0000DewyRs');
export const USER_ID = to18('0055g0000DewyIu');

function caseSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15[chunk * 5 + i] as string;
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX[bits];
  }
  return suffix;
}

function to18(id15: string): string {
  return id15 + caseSuffix(id15);
}

/** The id of the `seq`-th record of the object with this key prefix. */
export function recordId(keyPrefix: string, seq: number): string {
  let digits = '';
  for (let n = seq; n > 0; n = Math.floor(n / 62)) digits = BASE62[n % 62] + digits;
  return to18(keyPrefix + POD + digits.padStart(9, '0'));
}

const ID_CHARS = /^[0-9A-Za-z]+$/;

/** The 18-character form of a 15- or 18-character id, or null when the text is no id. */
export function normalizeId(text: string): string | null {
  if (!ID_CHARS.test(text)) return null;
  if (text.length === 15) return to18(text);
  if (text.length === 18 && caseSuffix(text.slice(0, 15)) === text.slice(15).toUpperCase()) {
    return text.slice(0, 15) + text.slice(15).toUpperCase();
  }
  return null;
}
