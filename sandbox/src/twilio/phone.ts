import { TwilioError } from './errors.js';

/**
 * Phone numbers as Twilio takes them: E.164, with spaces, dashes, dots and parentheses ignored. Twilio's
 * magic test numbers (https://www.twilio.com/docs/iam/test-credentials) fail the way they do there.
 */
export function normalizePhone(raw: string): string | null {
  const compact = raw.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : null;
}

const MAGIC_TO: Record<string, (to: string, from: string) => TwilioError> = {
  '+15005550001': (to) => invalidTo(to),
  '+15005550002': (to, from) =>
    new TwilioError(
      21612,
      `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`,
    ),
  '+15005550003': (to) =>
    new TwilioError(
      21408,
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
    ),
  '+15005550004': () => new TwilioError(21610, 'Attempt to send to unsubscribed recipient'),
  '+15005550009': () => new TwilioError(21614, "'To' number is not a valid mobile number"),
};

export function invalidTo(to: string): TwilioError {
  return new TwilioError(21211, `The 'To' number ${to} is not a valid phone number.`);
}

/** The failure Twilio gives for sending to this (normalized) number, if it is a magic test number. */
export function magicNumberFailure(to: string, from: string): TwilioError | null {
  return MAGIC_TO[to]?.(to, from) ?? null;
}
