import Database from 'better-sqlite3';
import type { Migration } from '../migrations.js';
import { compareShapes, migrationFindings, type SchemaShape } from '../schema-drift.js';
import type { SchemaReport } from '../store.js';
import { applyMigrations, appliedMigrations } from './migrate.js';
import type { SqliteDatabase } from './open.js';

/**
 * Compares the live database with the shipped migrations: pending versions, applied versions whose file
 * changed or is unknown to this build, and tables, columns, indexes or triggers that differ from a fresh
 * in-memory database migrated to the same versions.
 */
export function checkSchema(db: SqliteDatabase, shipped: readonly Migration[]): SchemaReport {
  const applied = appliedMigrations(db);
  const { pending, drift, prefix } = migrationFindings(applied, shipped);
  const reference = new Database(':memory:');
  try {
    applyMigrations(reference, prefix);
    drift.push(...compareShapes(shapeOf(reference), shapeOf(db)));
  } finally {
    reference.close();
  }
  return { ok: pending.length === 0 && drift.length === 0, applied, pending, drift };
}

function shapeOf(db: SqliteDatabase): SchemaShape {
  const rows = db
    .prepare<[], { name: string; type: string }>(
      `SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`,
    )
    .all();
  const columnsOf = db.prepare<[string], { name: string; type: string; notnull: number; pk: number }>(
    'SELECT name, type, "notnull", pk FROM pragma_table_info(?)',
  );
  const shape: SchemaShape = { objects: new Map(), columns: new Map() };
  for (const { name, type } of rows) {
    shape.objects.set(name, type);
    if (type !== 'table') continue;
    const columns = columnsOf
      .all(name)
      .map((c) => [c.name, `${c.type}${c.notnull ? ' NOT NULL' : ''}${c.pk ? ' PRIMARY KEY' : ''}`] as const);
    shape.columns.set(name, new Map(columns));
  }
  return shape;
}
