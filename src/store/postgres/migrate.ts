import { loadMigrations, type AppliedMigration, type Migration } from '../migrations.js';
import { NOW, type Querier } from './db.js';

/** The shipped PostgreSQL migrations (src/store/migrations/postgres), in order. */
export const loadPostgresMigrations = (): Migration[] => loadMigrations('postgres');

/** The advisory lock (two int4 keys, per database) that migrating processes queue on: 'swyd', 'migr'. */
const MIGRATION_LOCK = [0x73777964, 0x6d696772];

export async function appliedMigrations(q: Querier): Promise<AppliedMigration[]> {
  const [row] = await q<{ present: boolean }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS present`,
  );
  if (!row?.present) return [];
  return q<AppliedMigration>('SELECT version, name, checksum FROM schema_migrations ORDER BY version');
}

/**
 * Applies the pending migrations, inside the caller's transaction (DDL is transactional in PostgreSQL:
 * all of them commit, or none). With `lock`, processes migrating at once queue on an advisory lock held
 * to the end of the transaction, and each reads the applied set only once it holds the lock, so every
 * migration is applied once.
 */
export async function applyMigrations(
  q: Querier,
  migrations: readonly Migration[],
  options: { lock: boolean },
): Promise<void> {
  if (options.lock) await q('SELECT pg_advisory_xact_lock($1, $2)', MIGRATION_LOCK);
  const applied = new Set((await appliedMigrations(q)).map((m) => m.version));
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    await q(migration.sql);
    await q(
      `INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, ${NOW})`,
      [migration.version, migration.name, migration.checksum],
    );
  }
}
