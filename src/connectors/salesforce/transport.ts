import { CallError } from '../../core/errors.js';
import type { StepEffect } from '../../store/store.js';
import { createDispatcherCache } from '../http/dispatchers.js';
import type { PreparedRequest } from '../http/request-input.js';
import { sendOnce } from '../http/send-with-retries.js';
import type { RawResponse } from '../http/send.js';
import type { ResolvedSalesforceConfig } from './config.js';
import { outcomeUnknownIfUnsafe } from './errors.js';

/** The SSRF-guarded undici pools of the http connector, one per `allow_hosts` list. */
export interface SalesforceTransport {
  /** One try: any response, or a mapped CallError for transport failures and timeouts. */
  send(
    req: PreparedRequest,
    effect: StepEffect,
    config: ResolvedSalesforceConfig,
    signal: AbortSignal,
  ): Promise<RawResponse>;
  close(): Promise<void>;
}

export function createSalesforceTransport(): SalesforceTransport {
  const dispatchers = createDispatcherCache();
  const options = (config: ResolvedSalesforceConfig) => {
    const { agent, guard } = dispatchers.get(config.allowHosts);
    return {
      dispatcher: agent,
      guard,
      timeoutMs: config.timeoutMs,
      maxResponseBytes: config.maxResponseBytes,
    };
  };
  return {
    async send(req, effect, config, signal) {
      try {
        return await sendOnce(req, effect, { ...options(config), signal });
      } catch (error) {
        // An abort carries the worker's own error (timeout, cancellation): it passes unchanged.
        throw error instanceof CallError && !signal.aborted ? outcomeUnknownIfUnsafe(error, effect) : error;
      }
    },
    close: () => dispatchers.close(),
  };
}
