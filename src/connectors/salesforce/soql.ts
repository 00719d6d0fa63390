import { isPlainObject, type JsonValue } from '../../core/json.js';
import { invalidRequest } from './errors.js';

/**
 * Fills the `:name` placeholders of a SOQL statement with `params` as SOQL literals. Salesforce's REST
 * query takes no bind variables, so this is the one place where values meet SOQL text: every value is
 * rendered as a literal of its type (a string can never end its quotes), nothing is concatenated raw.
 *
 * - string → `'…'` with `\` `'` `"` and control characters escaped;
 * - number → its decimal literal; boolean → TRUE / FALSE; null → NULL;
 * - array → `(a, b, …)` for IN / NOT IN / INCLUDES (non-empty, of scalars);
 * - `{ "date": "2024-05-01" }` / `{ "datetime": "2024-05-01T14:00:00Z" }` → the unquoted date literal
 *   (SOQL compares date fields with unquoted literals only).
 *
 * Placeholders inside the statement's own quoted literals are text, not placeholders; `LAST_N_DAYS:7`
 * is not a placeholder either (names start with a letter or `_`). A placeholder without a value is an
 * error; values no placeholder uses are ignored.
 */
export function inlineSoqlParams(soql: string, params: Record<string, JsonValue>): string {
  let out = '';
  let i = 0;
  while (i < soql.length) {
    const ch = soql[i] as string;
    if (ch === "'") {
      const end = endOfQuoted(soql, i);
      out += soql.slice(i, end);
      i = end;
      continue;
    }
    const name =
      ch === ':' && !isNameChar(soql[i - 1]) ? /^[A-Za-z_][A-Za-z0-9_]*/.exec(soql.slice(i + 1)) : null;
    if (!name) {
      out += ch;
      i++;
      continue;
    }
    const key = name[0];
    if (!Object.hasOwn(params, key))
      throw invalidRequest(`the SOQL uses :${key}, which params does not give`);
    out += soqlLiteral(params[key] as JsonValue, key);
    i += 1 + key.length;
  }
  return out;
}

/** Renders one value as a SOQL literal (see `inlineSoqlParams`). */
export function soqlLiteral(value: JsonValue, name: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) throw invalidRequest(`param "${name}" is an empty list; SOQL has no empty IN ()`);
    return `(${value.map((item) => scalar(item, name)).join(', ')})`;
  }
  return scalar(value, name);
}

function scalar(value: JsonValue, name: string): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return numberLiteral(value, name);
  if (typeof value === 'string') return `'${escapeSoqlString(value)}'`;
  if (isPlainObject(value)) return dateLiteral(value, name);
  throw invalidRequest(`param "${name}": lists cannot be nested`);
}

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** The body of a quoted SOQL string literal: the escape sequences Salesforce documents, nothing else. */
export function escapeSoqlString(text: string): string {
  return text.replace(/[\\'"\n\r\t\b\f]/g, (c) => ESCAPES[c] as string);
}

function numberLiteral(value: number, name: string): string {
  const text = String(value);
  // SOQL has no exponent notation; JSON numbers that JavaScript prints that way are out of its range.
  if (!Number.isFinite(value) || /e/i.test(text)) {
    throw invalidRequest(`param "${name}": ${text} cannot be written as a SOQL number`);
  }
  return text;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

function dateLiteral(value: Record<string, unknown>, name: string): string {
  const keys = Object.keys(value);
  const [kind] = keys;
  const text = kind === undefined ? undefined : value[kind];
  if (keys.length === 1 && typeof text === 'string') {
    if (kind === 'date' && DATE.test(text) && validDate(text)) return text;
    // SOQL datetimes have whole seconds: `$now()`'s milliseconds are dropped rather than refused.
    if (kind === 'datetime' && DATETIME.test(text) && validDate(text.slice(0, 10))) {
      return text.replace(/\.\d+/, '');
    }
  }
  throw invalidRequest(
    `param "${name}": an object must be {"date": "YYYY-MM-DD"} or {"datetime": "YYYY-MM-DDThh:mm:ssZ"}`,
  );
}

function validDate(ymd: string): boolean {
  const parsed = new Date(`${ymd}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(ymd);
}

/** Index just past the quoted literal starting at `start` (or the end of the text if it never closes). */
function endOfQuoted(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === "'") return i + 1;
  }
  return text.length;
}

function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}
