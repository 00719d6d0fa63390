/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3: delta-seconds or an HTTP-date) into milliseconds
 * from `now`; null when absent or malformed, 0 for a date already past. Callers cap the result.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a weekday or month; refusing bare numbers-with-junk keeps Date.parse honest.
  if (!/[a-z]/i.test(text)) return null;
  // asctime dates carry no zone but mean GMT; Date.parse would read them as local time.
  const at = Date.parse(/\b(GMT|UTC)\b/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}
