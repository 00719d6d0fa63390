import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../../core/ids.js';
import type { SqliteDatabase } from './open.js';

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  sql: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

const MIGRATION_FILE = /^(\d+)_([\w-]+)\.sql$/;

/**
 * tsc does not copy .sql files into dist/, so both src/ (vitest) and dist/ (after a build) read the
 * migrations from src/, found relative to the package root rather than to this file.
 */
export function shippedMigrationsDir(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}: cannot find the SQLite migrations`);
    dir = parent;
  }
  return path.join(dir, 'src', 'store', 'migrations', 'sqlite');
}

/** The numbered migrations in `dir`, in order. */
export function loadMigrations(dir: string = shippedMigrationsDir()): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir)) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) continue;
    const sql = readFileSync(path.join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2] ?? file, checksum: sha256(sql), sql });
  }
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1]?.version === m.version)
      throw new Error(`two SQLite migrations share version ${m.version}`);
  });
  return migrations;
}

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
