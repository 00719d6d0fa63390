import type { Route, SandboxRequest, SandboxResponse } from '../shared/http.js';
import { invalidSession, notFound, SalesforceApiError } from './errors.js';
import type { ApiQuota } from './quota.js';
import type { Sessions } from './sessions.js';

/** A REST resource's handler; `version` is the path's API version (`v60.0`). */
export type ApiHandler = (req: SandboxRequest, version: string) => SandboxResponse;

export interface ApiGate {
  sessions: Sessions;
  quota: ApiQuota;
}

const VERSION = /^v\d+\.\d+$/;

/**
 * A route under `/services/data/:version/…` behind what every REST call goes through at Salesforce: a known
 * API version (else 404), a valid session (else 401 INVALID_SESSION_ID), the daily allowance (else 403
 * REQUEST_LIMIT_EXCEEDED), then the handler; refusals it throws become Salesforce's error arrays, and
 * every answer past the session check carries `Sforce-Limit-Info`.
 */
export function apiRoute(
  gate: ApiGate,
  method: string,
  path: string,
  handler: ApiHandler,
  changesState = false,
): Route {
  return {
    method,
    path: `/services/data/:version${path}`,
    changesState,
    handler: (req) => {
      const version = req.params.version ?? '';
      if (!VERSION.test(version)) return notFound().toResponse();
      if (!hasSession(req, gate.sessions)) return invalidSession().toResponse();
      if (!gate.quota.consume()) {
        return new SalesforceApiError(
          403,
          'REQUEST_LIMIT_EXCEEDED',
          'TotalRequests Limit exceeded.',
        ).toResponse(limitHeader(gate));
      }
      try {
        const response = handler(req, version);
        return { ...response, headers: { ...response.headers, ...limitHeader(gate) } };
      } catch (error) {
        if (error instanceof SalesforceApiError) return error.toResponse(limitHeader(gate));
        throw error;
      }
    },
  };
}

/** `Authorization: Bearer <token>` (or Salesforce's older `OAuth <token>`) naming a live session. */
function hasSession(req: SandboxRequest, sessions: Sessions): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^(?:Bearer|OAuth) (.+)$/i.exec(header);
  return match !== null && sessions.isValid((match[1] as string).trim());
}

function limitHeader(gate: ApiGate): Record<string, string> {
  return { 'Sforce-Limit-Info': gate.quota.header() };
}

/** The request body as a JSON object, or JSON_PARSER_ERROR. */
export function jsonObjectBody(req: SandboxRequest): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8') || '{}');
  } catch (error) {
    throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', (error as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      'Cannot deserialize instance of SObject from a value that is not a JSON object',
    );
  }
  return value as Record<string, unknown>;
}
