export type SqlDialect = 'sqlite' | 'postgres';

/** A parameter marker in SQL text, with its span so a backend can rewrite it. */
export type Placeholder =
  /** `?`, `?3` (SQLite) or `$3`: bound from an array; `index` counts from 1. */
  | { kind: 'positional'; index: number; start: number; end: number }
  /** `:name`, `$name`, or `@name` (SQLite): bound from an object by `name`. */
  | { kind: 'named'; name: string; start: number; end: number };

/** What the connector needs to know about a statement before a database sees it. */
export interface SqlText {
  sql: string;
  placeholders: Placeholder[];
  /** The statement outside strings, quoted identifiers and comments, for keyword checks. */
  code: string;
  /** True when something other than whitespace and comments follows a `;`. */
  multipleStatements: boolean;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const DIGITS = /[0-9]+/y;
const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;

/**
 * A small SQL scanner: enough to tell parameters from string contents, comments, `::` casts and
 * dollar-quoted bodies, and to see a second statement. It does not parse SQL; the database still does.
 */
export function analyzeSql(sql: string, dialect: SqlDialect): SqlText {
  const placeholders: Placeholder[] = [];
  let code = '';
  let ended = false;
  let multipleStatements = false;
  let nextBare = 1;
  let i = 0;
  /** Consumes up to `end`, adding `text` to `code`; anything but whitespace after a `;` is a second statement. */
  const emit = (end: number, text: string) => {
    if (ended && text.trim() !== '') multipleStatements = true;
    code += text;
    i = end;
  };
  const placeholder = (
    length: number,
    found: { kind: 'positional'; index: number } | { kind: 'named'; name: string },
  ) => {
    placeholders.push({ ...found, start: i, end: i + length });
    emit(i + length, ' ? ');
  };
  while (i < sql.length) {
    const c = sql[i] as string;
    const prev = i > 0 ? (sql[i - 1] as string) : '';
    if (c === "'" || c === '"' || c === '`') {
      const escapes = c === "'" && /[eE]/.test(prev) && !isIdentChar(sql[i - 2] ?? '');
      emit(skipQuoted(sql, i, c, escapes), " '' ");
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      emit(end === -1 ? sql.length : end, ' ');
    } else if (sql.startsWith('/*', i)) {
      emit(skipBlockComment(sql, i), ' ');
    } else if (c === ';') {
      if (ended) multipleStatements = true;
      ended = true;
      emit(i + 1, ' ');
    } else if (isIdentChar(prev) || (c === ':' && (prev === ':' || sql[i + 1] === ':'))) {
      // Inside a word (`a$b`) or a `::` cast: plain code.
      emit(i + 1, c);
    } else if (c === '$' && match(DOLLAR_TAG, sql, i)) {
      const tag = match(DOLLAR_TAG, sql, i) as string;
      const close = sql.indexOf(tag, i + tag.length);
      emit(close === -1 ? sql.length : close + tag.length, " '' ");
    } else if ((c === '$' || (c === '?' && dialect === 'sqlite')) && match(DIGITS, sql, i + 1)) {
      const digits = match(DIGITS, sql, i + 1) as string;
      nextBare = Math.max(nextBare, Number(digits) + 1);
      placeholder(1 + digits.length, { kind: 'positional', index: Number(digits) });
    } else if (c === '?' && dialect === 'sqlite') {
      placeholder(1, { kind: 'positional', index: nextBare++ });
    } else if ((c === ':' || c === '$' || (c === '@' && dialect === 'sqlite')) && match(IDENT, sql, i + 1)) {
      const name = match(IDENT, sql, i + 1) as string;
      placeholder(1 + name.length, { kind: 'named', name });
    } else {
      emit(i + 1, c);
    }
  }
  return { sql, placeholders, code, multipleStatements };
}

function match(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? null;
}

function isIdentChar(c: string): boolean {
  return /[A-Za-z0-9_]/.test(c);
}

/** Index just past the closing quote; a doubled quote (or, for E'…', a backslash) escapes. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return sql.length;
}

/** PostgreSQL nests block comments; SQLite does not, but nested ones there are a syntax error anyway. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  for (let i = start; i < sql.length; i++) {
    if (sql.startsWith('/*', i)) {
      depth++;
      i++;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return sql.length;
}
