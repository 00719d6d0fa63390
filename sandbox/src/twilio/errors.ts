import type { SandboxResponse } from '../shared/http.js';

/** Twilio's error body: `{ code, message, more_info, status }` (https://www.twilio.com/docs/api/errors). */
export class TwilioError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 400,
    readonly detail?: string,
  ) {
    super(message);
  }

  toResponse(headers: Record<string, string> = {}): SandboxResponse {
    return {
      status: this.status,
      headers,
      body: {
        code: this.code,
        message: this.message,
        more_info: `https://www.twilio.com/docs/errors/${this.code}`,
        status: this.status,
        ...(this.detail ? { detail: this.detail } : {}),
      },
    };
  }
}

export function authenticationError(): TwilioError {
  return new TwilioError(
    20003,
    'Authentication Error - invalid username',
    401,
    'Your AccountSid or AuthToken was incorrect.',
  );
}

export function resourceNotFound(path: string): TwilioError {
  return new TwilioError(20404, `The requested resource ${path} was not found`, 404);
}
