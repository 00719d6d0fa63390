import { loadMigrations, type AppliedMigration, type Migration } from '../migrations.js';
import type { SqliteDatabase } from './open.js';

/** The shipped SQLite migrations (src/store/migrations/sqlite), in order. */
export const loadSqliteMigrations = (): Migration[] => loadMigrations('sqlite');

export function appliedMigrations(db: SqliteDatabase): AppliedMigration[] {
  const exists = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
    .get();
  if (!exists) return [];
  return db
    .prepare<[], AppliedMigration>('SELECT version, name, checksum FROM schema_migrations ORDER BY version')
    .all();
}

/**
 * Applies the pending migrations in one IMMEDIATE transaction. The applied set is read inside the
 * transaction, so two processes migrating at once apply each migration once.
 */
export function applyMigrations(db: SqliteDatabase, migrations: readonly Migration[]): void {
  db.transaction(() => {
    const applied = new Set(appliedMigrations(db).map((m) => m.version));
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      db.prepare(
        'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
      ).run(migration.version, migration.name, migration.checksum, Date.now());
    }
  }).immediate();
}
