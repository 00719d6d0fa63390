import { isValidDate, parseDateTime } from '../dates.js';
import { malformed } from './errors.js';

/** One lexeme of a SOQL statement; `pos` is its offset in the text. */
export type Token =
  | { kind: 'ident'; text: string; pos: number }
  /** `value` is the decoded text; `raw` the text between the quotes, escapes kept (LIKE reads it). */
  | { kind: 'string'; text: string; pos: number; value: string; raw: string }
  | { kind: 'number'; text: string; pos: number; value: number }
  /** `YYYY-MM-DD`. */
  | { kind: 'date'; text: string; pos: number; value: string }
  /** Milliseconds. */
  | { kind: 'datetime'; text: string; pos: number; value: number }
  /** `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`. */
  | { kind: 'op'; text: string; pos: number }
  /** `(`, `)`, `,`, `.`, `-`. */
  | { kind: 'punct'; text: string; pos: number }
  | { kind: 'eof'; text: ''; pos: number };

/** The escape sequences SOQL string literals allow; `\%` and `\_` stay escaped for LIKE. */
const ESCAPES: Record<string, string> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  '%': '%',
  _: '_',
};

const DATE_OR_DATETIME = /\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2}))?/y;
const NUMBER = /\d+(\.\d+)?/y;

function isIdentStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isIdentPart(ch: string): boolean {
  return isIdentStart(ch) || (ch >= '0' && ch <= '9');
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

/** Splits a SOQL statement into tokens, ending with `eof`; refuses characters SOQL does not have. */
export function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (isIdentStart(ch)) {
      const start = i;
      while (i < soql.length && isIdentPart(soql[i] as string)) i++;
      tokens.push({ kind: 'ident', text: soql.slice(start, i), pos: start });
    } else if (isDigit(ch)) {
      const token = numberOrDate(soql, i);
      tokens.push(token);
      i += token.text.length;
    } else if (ch === "'") {
      const token = stringLiteral(soql, i);
      tokens.push(token);
      i += token.text.length;
    } else if ('=<>!'.includes(ch)) {
      const two = soql.slice(i, i + 2);
      const text = ['!=', '<>', '<=', '>='].includes(two) ? two : ch;
      if (text === '!') throw malformed(`unexpected token: '!'`, i);
      tokens.push({ kind: 'op', text, pos: i });
      i += text.length;
    } else if ('(),.-'.includes(ch)) {
      tokens.push({ kind: 'punct', text: ch, pos: i });
      i++;
    } else {
      throw malformed(`unexpected token: '${ch}'`, i);
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: soql.length });
  return tokens;
}

function numberOrDate(soql: string, pos: number): Token {
  DATE_OR_DATETIME.lastIndex = pos;
  const date = DATE_OR_DATETIME.exec(soql);
  if (date) {
    const text = date[0];
    if (date[1] === undefined) {
      if (!isValidDate(text)) throw malformed(`invalid date: ${text}`, pos);
      return { kind: 'date', text, pos, value: text };
    }
    const ms = parseDateTime(text);
    if (ms === null) throw malformed(`invalid datetime: ${text}`, pos);
    return { kind: 'datetime', text, pos, value: ms };
  }
  NUMBER.lastIndex = pos;
  const text = (NUMBER.exec(soql) as RegExpExecArray)[0];
  return { kind: 'number', text, pos, value: Number(text) };
}

function stringLiteral(soql: string, pos: number): Token {
  let value = '';
  let i = pos + 1;
  while (i < soql.length) {
    const ch = soql[i] as string;
    if (ch === "'") {
      const text = soql.slice(pos, i + 1);
      return { kind: 'string', text, pos, value, raw: soql.slice(pos + 1, i) };
    }
    if (ch === '\\') {
      const next = soql[i + 1];
      const decoded = next === undefined ? undefined : ESCAPES[next];
      if (decoded === undefined) {
        throw malformed(
          `Invalid string literal '${soql.slice(pos, i + 2)}'. Illegal character sequence '\\${next ?? ''}' in string literal.`,
          i,
        );
      }
      value += decoded;
      i += 2;
      continue;
    }
    value += ch;
    i++;
  }
  throw malformed(`mismatched character '<EOF>' expecting '''`, soql.length);
}
