import type { JsonObject, JsonValue } from '../core/json.js';
import type { StepEffect } from '../store/store.js';

/**
 * A connector talks to one kind of system through named actions. Each action declares its input and
 * output schemas, whether its failures may be retried, and how its effect behaves when repeated.
 *
 * Actions fail by throwing `CallError` (from core/errors) with a code, a message and `retrySafe`;
 * anything else thrown is treated as a non-retry-safe INTERNAL error by the worker.
 */
export interface Connector {
  /** `util`, `http`, `sql`, … — the prefix of `connector.action` in recipes. */
  name: string;
  description: string;
  /** JSON Schema of a connection's non-secret configuration, or null for connection-less connectors. */
  connectionSchema: JsonObject | null;
  /**
   * The secret fields a connection of this connector holds (kept sealed in the vault, never in
   * configuration files), e.g. `['client_id', 'client_secret']`. Empty or absent: no secrets.
   */
  secretFields?: { name: string; required: boolean; description: string }[];
  /**
   * For OAuth2 connectors: obtains a fresh access token with the connection's secrets. The vault calls
   * it once per credential across all workers (the others wait for the result) and keeps the token
   * sealed in the store until it expires or the system rejects it.
   */
  refreshToken?(connection: ConnectionSecrets, signal: AbortSignal): Promise<AccessToken>;
  actions: Record<string, ConnectorAction>;
  /**
   * Releases what the connector keeps between calls (HTTP agents, database pools). Idempotent; the
   * registry's `close()` calls it on every connector when the platform stops.
   */
  close?(): Promise<void>;
}

export interface ConnectorAction {
  description: string;
  /** JSON Schema of the action's input (the step's evaluated `with`). */
  input: JsonObject;
  /** JSON Schema of the action's output, when known. */
  output: JsonObject | null;
  /**
   * How the effect behaves if the action runs again for the same step (see StepEffect). May depend on
   * the input (an HTTP GET is `none`, a POST without an idempotency header is `unsafe`).
   */
  effect(input: JsonObject): StepEffect;
  run(input: JsonObject, ctx: ActionContext): Promise<ActionResult>;
}

export interface ActionContext {
  callId: string;
  /** The derived idempotency key of this step (call id + step path); pass it downstream. */
  stepKey: string;
  /** The resolved connection, or null for connection-less actions. */
  connection: ResolvedConnection | null;
  /** Aborted on step timeout, call cancellation or worker shutdown. */
  signal: AbortSignal;
}

export interface ActionResult {
  output: JsonValue;
  /** Redacted summaries for the audit trail (no secrets, bounded size). */
  request?: JsonValue;
  response?: JsonValue;
}

/** A connection as a connector receives it: non-secret config, and its secrets from the vault. */
export interface ResolvedConnection {
  name: string;
  connector: string;
  config: JsonObject;
  /** Decrypted secret fields (empty for connections without secrets). Never log or return these. */
  secrets: Readonly<Record<string, string>>;
  /**
   * OAuth2 connectors: the current access token, refreshed when expired. Pass the token the system
   * just rejected (HTTP 401) as `rejected` to force a refresh, done once however many workers ask.
   */
  accessToken?(options?: { rejected?: string; signal?: AbortSignal }): Promise<AccessToken>;
}

/** What a token refresh sees of a connection. */
export interface ConnectionSecrets {
  name: string;
  config: JsonObject;
  secrets: Readonly<Record<string, string>>;
}

export interface AccessToken {
  token: string;
  /** Epoch ms when the token stops working (best known; a 401 refreshes earlier). */
  expiresAt: number;
  /** Extra non-secret facts the token response carried, e.g. Salesforce's `instance_url`. */
  extra?: Record<string, string>;
}
