import { CallError, UsageError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { JsonSchemaValidator } from '../core/json-schema.js';
import type { JsonObject } from '../core/json.js';
import type { Connector, ResolvedConnection } from '../connectors/connector.js';
import type { ConnectorRegistry } from '../connectors/registry.js';
import type { ConnectionRecord, Store } from '../store/store.js';
import type { Keyring } from './keyring.js';
import { seal, sealedKeyId, unseal, VaultError } from './seal.js';
import { createTokenSource } from './token-source.js';

/** What `connections ls` shows: never a secret value. */
export interface ConnectionSummary {
  name: string;
  connector: string;
  config: JsonObject;
  secretNames: string[];
  updatedAt: number;
}

/**
 * Connections and their secrets. Secrets are sealed (AES-256-GCM, bound to workspace and connection id)
 * before they reach the store and opened only in the process that runs a step; OAuth2 connections get a
 * token source that refreshes once per credential across all workers.
 */
export class Vault {
  private readonly resolved = new Map<
    string,
    { sealed: string; updatedAt: number; connection: ResolvedConnection }
  >();

  constructor(
    private readonly deps: {
      store: Store;
      keyring: Keyring;
      connectors: ConnectorRegistry;
      validator: JsonSchemaValidator;
      workspace: string;
      /** Who refreshes tokens (the worker id), for the refresh lease. */
      owner: string;
      /** Connections declared in switchyard.yaml: their non-secret parts (the vault adds secrets). */
      declared: Record<string, { connector: string; config: JsonObject }>;
    },
  ) {}

  /** Creates or replaces a connection. Throws UsageError on an unknown connector, bad config or secrets. */
  async set(input: {
    name: string;
    connector: string;
    config: JsonObject;
    secrets: Record<string, string>;
  }): Promise<ConnectionSummary> {
    const connector = this.deps.connectors.get(input.connector);
    if (!connector) throw new UsageError(`unknown connector "${input.connector}"`);
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(input.name))
      throw new UsageError(`connection name "${input.name}" must be lower-case letters, digits and _`);
    checkSecrets(connector, input.secrets);
    const declared = this.deps.declared[input.name];
    if (declared && declared.connector !== input.connector)
      throw new UsageError(
        `connection "${input.name}" is declared for connector ${declared.connector} in the configuration`,
      );
    if (connector.connectionSchema) {
      const config = { ...declared?.config, ...input.config };
      const problem = this.deps.validator.check(connector.connectionSchema, config);
      if (problem) throw new UsageError(`connection "${input.name}": ${problem}`);
    }
    const { workspace, keyring } = this.deps;
    const record = await this.deps.store.putConnection({
      workspace,
      name: input.name,
      id: newId('conn'),
      connector: input.connector,
      config: input.config,
      secretNames: Object.keys(input.secrets).sort(),
      seal: (connectionId) =>
        seal(keyring, JSON.stringify(input.secrets), { workspace, connectionId, purpose: 'secrets' }),
    });
    return summary(record);
  }

  async list(): Promise<ConnectionSummary[]> {
    return (await this.deps.store.listConnections(this.deps.workspace)).map(summary);
  }

  remove(name: string): Promise<boolean> {
    return this.deps.store.deleteConnection(this.deps.workspace, name);
  }

  /**
   * The connection as a connector receives it: the configuration's non-secret parts, overlaid by what
   * `connections set` stored, with the secrets opened. Null when neither knows the name. Opened
   * connections are kept in memory while their sealed value is unchanged (one indexed read per use).
   */
  async resolve(name: string): Promise<ResolvedConnection | null> {
    const declared = Object.hasOwn(this.deps.declared, name) ? this.deps.declared[name] : undefined;
    const record = await this.deps.store.getConnection(this.deps.workspace, name);
    if (!record) return declared ? { name, ...declared, secrets: {} } : null;
    const known = this.resolved.get(name);
    if (known?.sealed === record.sealed && known.updatedAt === record.updatedAt) return known.connection;
    const connection = this.open(record, declared?.config ?? {});
    this.resolved.set(name, { sealed: record.sealed, updatedAt: record.updatedAt, connection });
    return connection;
  }

  /** Re-seals every secret and token with the keyring's current key. Returns how many values changed. */
  async reseal(): Promise<number> {
    const { keyring } = this.deps;
    const values = await this.deps.store.listSealed();
    const changes = values
      .filter((value) => sealedKeyId(value.sealed) !== keyring.current.id)
      .map((value) => {
        const binding = {
          workspace: value.workspace,
          connectionId: value.connectionId,
          purpose: value.kind === 'connection' ? ('secrets' as const) : ('token' as const),
        };
        return { value, next: seal(keyring, unseal(keyring, value.sealed, binding), binding) };
      });
    return changes.length === 0 ? 0 : this.deps.store.reseal(changes);
  }

  private open(record: ConnectionRecord, declared: JsonObject): ResolvedConnection {
    const connector = this.deps.connectors.get(record.connector);
    let secrets: Record<string, string>;
    try {
      secrets = JSON.parse(
        unseal(this.deps.keyring, record.sealed, {
          workspace: record.workspace,
          connectionId: record.id,
          purpose: 'secrets',
        }),
      ) as Record<string, string>;
    } catch (error) {
      throw new CallError({
        code: 'CONNECTION_INVALID',
        message: `connection "${record.name}": ${error instanceof VaultError ? error.message : 'its secrets do not open'}`,
        retrySafe: false,
      });
    }
    const config = { ...declared, ...record.config };
    const connection: ResolvedConnection = {
      name: record.name,
      connector: record.connector,
      config,
      secrets: Object.freeze(secrets),
    };
    if (connector?.refreshToken) {
      connection.accessToken = createTokenSource({
        store: this.deps.store,
        keyring: this.deps.keyring,
        record,
        connection: { name: record.name, config, secrets },
        connector: connector as Connector & Required<Pick<Connector, 'refreshToken'>>,
        owner: this.deps.owner,
      });
    }
    return connection;
  }
}

function checkSecrets(connector: Connector, secrets: Record<string, string>): void {
  const fields = connector.secretFields ?? [];
  const known = new Set(fields.map((f) => f.name));
  for (const name of Object.keys(secrets))
    if (!known.has(name)) throw new UsageError(`connector ${connector.name} has no secret "${name}"`);
  for (const field of fields)
    if (field.required && !secrets[field.name])
      throw new UsageError(`secret "${field.name}" is required (${field.description})`);
  for (const [name, value] of Object.entries(secrets))
    if (typeof value !== 'string' || value === '')
      throw new UsageError(`secret "${name}" must be a non-empty string`);
}

function summary(record: ConnectionRecord): ConnectionSummary {
  return {
    name: record.name,
    connector: record.connector,
    config: record.config,
    secretNames: record.secretNames,
    updatedAt: record.updatedAt,
  };
}
