import Database from 'better-sqlite3';
import type { SchemaReport } from '../store.js';
import { applyMigrations, appliedMigrations, type Migration } from './migrate.js';
import type { SqliteDatabase } from './open.js';

/**
 * Compares the live database with the shipped migrations: pending versions, applied versions whose file
 * changed or is unknown to this build, and tables, columns, indexes or triggers that differ from a fresh
 * in-memory database migrated to the same versions.
 */
export function checkSchema(db: SqliteDatabase, shipped: readonly Migration[]): SchemaReport {
  const applied = appliedMigrations(db);
  const appliedVersions = new Set(applied.map((m) => m.version));
  const byVersion = new Map(shipped.map((m) => [m.version, m]));
  const drift: string[] = [];
  for (const row of applied) {
    const file = byVersion.get(row.version);
    if (!file) drift.push(`migration ${row.version} (${row.name}) is applied but unknown to this build`);
    else if (file.checksum !== row.checksum) {
      drift.push(
        `migration ${row.version} (${row.name}) changed after it was applied (checksum ${row.checksum.slice(0, 12)} applied, ${file.checksum.slice(0, 12)} shipped)`,
      );
    }
  }
  const pending = shipped
    .filter((m) => !appliedVersions.has(m.version))
    .map(({ version, name }) => ({ version, name }));
  // Migrations build on each other: the live shape is compared with the shipped migrations up to the
  // first one not applied (a later one applied over a gap is itself the finding).
  const gap = shipped.findIndex((m) => !appliedVersions.has(m.version));
  const prefix = gap < 0 ? shipped : shipped.slice(0, gap);
  for (const m of shipped.slice(gap < 0 ? shipped.length : gap))
    if (appliedVersions.has(m.version))
      drift.push(`migration ${m.version} (${m.name}) is applied but an earlier migration is not`);
  drift.push(...structuralDrift(db, prefix));
  return { ok: pending.length === 0 && drift.length === 0, applied, pending, drift };
}

interface Shape {
  objects: Map<string, string>;
  columns: Map<string, Map<string, string>>;
}

function structuralDrift(live: SqliteDatabase, migrations: readonly Migration[]): string[] {
  const reference = new Database(':memory:');
  try {
    applyMigrations(reference, migrations);
    const expected = shapeOf(reference);
    const actual = shapeOf(live);
    const drift: string[] = [];
    for (const [name, type] of expected.objects) {
      if (actual.objects.get(name) !== type) {
        drift.push(`missing ${type} ${name}`);
        continue;
      }
      const have = actual.columns.get(name);
      for (const [column, definition] of expected.columns.get(name) ?? []) {
        const found = have?.get(column);
        if (found === undefined) drift.push(`missing column ${name}.${column}`);
        else if (found !== definition)
          drift.push(`column ${name}.${column} is "${found}", expected "${definition}"`);
      }
    }
    // The other direction: objects and columns nobody's migration made (hand edits, or a migration
    // whose row was deleted from schema_migrations while its tables stayed).
    for (const [name, type] of actual.objects) {
      if (!expected.objects.has(name))
        drift.push(`unexpected ${type} ${name} (not made by the applied migrations)`);
    }
    for (const [table, columns] of actual.columns) {
      const known = expected.columns.get(table);
      if (!known) continue;
      for (const column of columns.keys()) {
        if (!known.has(column)) drift.push(`unexpected column ${table}.${column}`);
      }
    }
    return drift;
  } finally {
    reference.close();
  }
}

function shapeOf(db: SqliteDatabase): Shape {
  const rows = db
    .prepare<[], { name: string; type: string }>(
      `SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`,
    )
    .all();
  const columnsOf = db.prepare<[string], { name: string; type: string; notnull: number; pk: number }>(
    'SELECT name, type, "notnull", pk FROM pragma_table_info(?)',
  );
  const shape: Shape = { objects: new Map(), columns: new Map() };
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
