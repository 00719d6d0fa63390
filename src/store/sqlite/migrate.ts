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
 *
 * A migration may rebuild a table that others reference (SQLite cannot change a constraint in place:
 * 0004, 0006). SQLite's procedure for that (https://sqlite.org/lang_altertable.html#otheralter) turns
 * foreign key enforcement off around the transaction, since dropping the old table would otherwise
 * fail or cascade, and checks every key before committing: a migration that breaks one rolls back.
 */
export function applyMigrations(db: SqliteDatabase, migrations: readonly Migration[]): void {
  const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
  if (enforced) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      const applied = new Set(appliedMigrations(db).map((m) => m.version));
      const pending = migrations.filter((m) => !applied.has(m.version));
      for (const migration of pending) {
        db.exec(migration.sql);
        db.prepare(
          'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
        ).run(migration.version, migration.name, migration.checksum, Date.now());
      }
      // Every process migrates at start: with nothing applied, nothing to check (it reads every row).
      if (enforced && pending.length > 0) assertForeignKeys(db);
    }).immediate();
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
}

function assertForeignKeys(db: SqliteDatabase): void {
  const broken = db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  const first = broken[0];
  if (first)
    throw new Error(
      `migration left ${broken.length} broken foreign key(s), e.g. ${first.table} row ${first.rowid} → ${first.parent}; rolled back`,
    );
}
