import { parseDuration } from '../../core/duration.js';
import type { JsonObject } from '../../core/json.js';

/** Where a `sql` connection points. The key identifies the database for pooling. */
export type ResolvedSqlConfig =
  | { kind: 'sqlite'; key: string; path: string }
  | { kind: 'postgres'; key: string; url: string; poolSize: number; statementTimeoutMs: number | null };

export const SQL_CONNECTION_SCHEMA: JsonObject = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: {
      type: 'string',
      pattern: '^(sqlite:|postgres(ql)?://)',
      description: 'sqlite:///abs/path.db, sqlite::memory:, postgres://…',
    },
    pool_size: {
      type: 'integer',
      minimum: 1,
      description: 'PostgreSQL connections kept per URL (default 10).',
    },
    statement_timeout: {
      type: ['number', 'string'],
      description: 'PostgreSQL statement_timeout (a duration).',
    },
  },
};

export function resolveSqlConfig(config: JsonObject): ResolvedSqlConfig {
  const url = config.url as string;
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length);
    // `sqlite:///abs.db` and `sqlite://rel.db` as URLs, `sqlite:rel.db` as the store's own config writes it.
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (!path) throw new Error('"url" names no SQLite file');
    if (path.includes('?')) throw new Error('"url": SQLite URLs take no query options');
    return { kind: 'sqlite', key: `sqlite:${path}`, path };
  }
  const timeout = config.statement_timeout === undefined ? null : parseDuration(config.statement_timeout);
  if (timeout === null && config.statement_timeout !== undefined) {
    throw new Error('"statement_timeout" must be a duration');
  }
  const poolSize = (config.pool_size as number | undefined) ?? 10;
  return {
    kind: 'postgres',
    key: `${url}#${poolSize}#${timeout ?? ''}`,
    url,
    poolSize,
    statementTimeoutMs: timeout,
  };
}
