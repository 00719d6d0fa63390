/** Dates as Salesforce writes them: `YYYY-MM-DD`, and datetimes `YYYY-MM-DDThh:mm:ss.sss+0000` (UTC). */

const DAY_MS = 86_400_000;

/** The datetime text of a moment. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The (UTC) calendar day of a moment: the org's time zone is UTC, so this is what TODAY means. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return dayOf(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);
}

/** Whole days from one date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Start of a day (ms). */
export function startOfDay(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})$/;

/** A real calendar date in `YYYY-MM-DD` form. */
export function isValidDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const parsed = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed) && dayOf(parsed) === text;
}

/** Milliseconds of an ISO 8601 datetime with a zone (`Z`, `+01:00`, `+0100`), or null. */
export function parseDateTime(text: string): number | null {
  const match = DATETIME.exec(text);
  if (!match || !isValidDate(match[1] as string)) return null;
  const zone = (match[6] as string).replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}${match[5] ?? ''}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}
