/** The escapes a SOQL literal may hold (see tokenizer.ts), decoded; `%` and `_` escaped are literal. */
const LITERAL_ESCAPES: Record<string, string> = {
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
};

/**
 * A matcher for a LIKE pattern, from the literal's text between the quotes: `%` is any run of characters,
 * `_` any one, `\%` and `\_` themselves; matching ignores case, as SOQL's LIKE does.
 */
export function compileLike(raw: string): (text: string) => boolean {
  let source = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else if (ch === '\\') {
      const next = raw[++i] ?? '';
      source += escapeForRegExp(LITERAL_ESCAPES[next] ?? next);
    } else source += escapeForRegExp(ch);
  }
  const pattern = new RegExp(`^${source}$`, 'is');
  return (text) => pattern.test(text);
}

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
