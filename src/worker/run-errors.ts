import { CallError, type ToolError } from '../core/errors.js';

/** This worker no longer holds the lease (expired, reclaimed or cancelled): stop without settling. */
export class LeaseLostError extends Error {
  constructor(callId: string) {
    super(`lease on ${callId} lost`);
    this.name = 'LeaseLostError';
  }
}

/** A recipe `fail` step: a business outcome, settled as is and never retried by the platform. */
export class BusinessFailure extends CallError {
  constructor(error: ToolError) {
    super(error);
    this.name = 'BusinessFailure';
  }
}

/** Any thrown value as a ToolError; unknown exceptions become a non-retry-safe INTERNAL error. */
export function toToolError(error: unknown): ToolError {
  if (error instanceof CallError) return error.toToolError();
  return { code: 'INTERNAL', message: 'internal error while running the call', retrySafe: false };
}
