/** A string split into literal text and `${ ... }` expressions. */
export type TemplatePart =
  { kind: 'text'; text: string } | { kind: 'expression'; source: string; offset: number };

/** A `${` without its `}`, or an empty `${ }`; `offset` is where the `${` starts in `text`. */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly text: string,
    readonly offset: number,
  ) {
    super(`${message} in "${text}"`);
    this.name = 'TemplateSyntaxError';
  }
}

/**
 * Splits a recipe string into its parts. `$${` is a literal `${`. The closing `}` is found by counting
 * braces while skipping JSONata string literals, backtick names and comments, so object constructors
 * and `"}"` inside an expression do not end it early.
 */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw new TemplateSyntaxError('"${" has no closing "}"', text, i);
      const source = text.slice(i + 2, end);
      if (source.trim() === '') throw new TemplateSyntaxError('empty expression "${ }"', text, i);
      if (literal) parts.push({ kind: 'text', text: literal });
      literal = '';
      parts.push({ kind: 'expression', source, offset: i + 2 });
      i = end + 1;
    } else {
      literal += text[i];
      i += 1;
    }
  }
  if (literal || parts.length === 0) parts.push({ kind: 'text', text: literal });
  return parts;
}

/** True when the string is exactly one `${ ... }` and nothing else (its value keeps its JSON type). */
export function isSingleExpression(
  parts: readonly TemplatePart[],
): parts is [Extract<TemplatePart, { kind: 'expression' }>] {
  return parts.length === 1 && parts[0]?.kind === 'expression';
}

function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      i = skipQuoted(text, i, ch);
      if (i < 0) return -1;
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) return -1;
      i = close + 1;
    } else if (ch === '{') {
      depth += 1;
    } else if (ch === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

/** Index of the quote closing the literal opened at `start`; backtick names have no escapes. */
function skipQuoted(text: string, start: number, quote: string): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\' && quote !== '`') i += 1;
    else if (text[i] === quote) return i;
  }
  return -1;
}
