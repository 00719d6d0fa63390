import type { SandboxResponse } from '../shared/http.js';

/**
 * A refusal in Salesforce's REST shape: the status and a one-element array
 * `[{ "message": …, "errorCode": …, "fields": [...] }]` (`fields` only for DML errors).
 */
export class SalesforceApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
  }

  toResponse(headers: Record<string, string> = {}): SandboxResponse {
    const entry: Record<string, unknown> = { message: this.message, errorCode: this.errorCode };
    if (this.fields) entry.fields = this.fields;
    return { status: this.status, headers, body: [entry] };
  }
}

export function notFound(): SalesforceApiError {
  return new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
}

export function invalidSession(): SalesforceApiError {
  return new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
}

/** A DML refusal (400) naming the fields it concerns. */
export function dmlError(errorCode: string, message: string, fields: string[] = []): SalesforceApiError {
  return new SalesforceApiError(400, errorCode, message, fields);
}

export function noSuchColumn(field: string, objectName: string): SalesforceApiError {
  return new SalesforceApiError(
    400,
    'INVALID_FIELD',
    `No such column '${field}' on sobject of type ${objectName}`,
  );
}
