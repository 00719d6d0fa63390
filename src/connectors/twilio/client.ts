import { CallError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { StepEffect } from '../../store/store.js';
import type { ResolvedConnection } from '../connector.js';
import { createDispatcherCache } from '../http/dispatchers.js';
import type { HttpMethod } from '../http/effect.js';
import type { PreparedRequest } from '../http/request-input.js';
import { sendOnce } from '../http/send-with-retries.js';
import type { ResolvedTwilioConfig } from './config.js';
import { connectionInvalid, outcomeUnknownIfUnsafe, twilioFailure } from './errors.js';

export const TWILIO_SECRET_FIELDS = [
  { name: 'account_sid', required: true, description: 'Account SID (AC…), the Basic auth user.' },
  { name: 'auth_token', required: true, description: 'Auth token, the Basic auth password.' },
];

/** One request under `/2010-04-01/Accounts/{AccountSid}`. */
export interface TwilioCall {
  method: HttpMethod;
  /** e.g. `/Messages.json`. */
  path: string;
  form?: Record<string, string>;
}

export interface TwilioClient {
  call(
    connection: ResolvedConnection,
    config: ResolvedTwilioConfig,
    call: TwilioCall,
    effect: StepEffect,
    signal: AbortSignal,
  ): Promise<{ status: number; body: JsonObject }>;
  close(): Promise<void>;
}

/**
 * Twilio's REST API with Basic auth over the http connector's SSRF-guarded undici pools. The official
 * `twilio` SDK is not used: it builds its URLs from hard-coded `*.twilio.com` hosts (region and edge
 * only), so it cannot be pointed at a `base_url` such as an emulator or a proxy without patching its
 * request client; plain REST is a few lines here.
 */
export function createTwilioClient(): TwilioClient {
  const dispatchers = createDispatcherCache();
  return {
    async call(connection, config, call, effect, signal) {
      const { account_sid: accountSid, auth_token: authToken } = connection.secrets;
      if (!accountSid || !authToken) {
        throw connectionInvalid(
          `connection "${connection.name}" lacks the account_sid and auth_token secrets`,
        );
      }
      const base = config.baseUrl.pathname.replace(/\/+$/, '');
      const url = new URL(
        `${base}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}${call.path}`,
        config.baseUrl,
      );
      const headers: Record<string, string> = {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
        accept: 'application/json',
      };
      let body: string | null = null;
      if (call.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(call.form).toString();
      }
      const req: PreparedRequest = {
        method: call.method,
        url,
        headers,
        body,
        connectionHeaders: [],
        sendsIdempotencyKey: false,
        responseHeaders: [],
      };
      const { agent, guard } = dispatchers.get(config.allowHosts);
      const options = {
        dispatcher: agent,
        guard,
        signal,
        timeoutMs: config.timeoutMs,
        maxResponseBytes: config.maxResponseBytes,
      };
      let res;
      try {
        res = await sendOnce(req, effect, options);
      } catch (error) {
        // An abort carries the worker's own error (timeout, cancellation): it passes unchanged.
        throw error instanceof CallError && !signal.aborted ? outcomeUnknownIfUnsafe(error, effect) : error;
      }
      if (res.status >= 300) throw twilioFailure(res, effect, [accountSid, authToken]);
      try {
        return { status: res.status, body: JSON.parse(res.body.toString('utf8')) as JsonObject };
      } catch {
        const message = `Twilio answered HTTP ${res.status} with a body that is not JSON`;
        throw outcomeUnknownIfUnsafe(
          new CallError({ code: 'UPSTREAM_UNAVAILABLE', message, retrySafe: effect !== 'unsafe' }),
          effect,
        );
      }
    },
    close: () => dispatchers.close(),
  };
}
