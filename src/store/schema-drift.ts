import type { AppliedMigration, Migration } from './migrations.js';
import type { SchemaReport } from './store.js';

/**
 * A schema's structure as a backend describes it, for drift detection. Each backend builds one for the
 * live database and one for a scratch database made by applying the shipped migrations, and the two are
 * compared by `compareShapes`.
 */
export interface SchemaShape {
  /** Tables, indexes, triggers, … by name, with their kind (`table`, `index`, …). */
  objects: Map<string, string>;
  /** Per table: column name → its definition (type, NOT NULL, key, default). */
  columns: Map<string, Map<string, string>>;
  /** Object name → its normalised definition, for backends that can describe one (indexes, constraints). */
  definitions?: Map<string, string>;
}

export interface MigrationFindings {
  pending: SchemaReport['pending'];
  drift: string[];
  /** The shipped migrations the live structure should match: those up to the first one not applied. */
  prefix: Migration[];
}

/** What the applied-migrations table alone tells: pending versions, changed or unknown files, gaps. */
export function migrationFindings(
  applied: readonly AppliedMigration[],
  shipped: readonly Migration[],
): MigrationFindings {
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
  const prefix = gap < 0 ? [...shipped] : shipped.slice(0, gap);
  for (const m of shipped.slice(gap < 0 ? shipped.length : gap))
    if (appliedVersions.has(m.version))
      drift.push(`migration ${m.version} (${m.name}) is applied but an earlier migration is not`);
  return { pending, drift, prefix };
}

/** Differences both ways: what the migrations made that is missing or changed, and what nobody's migration made. */
export function compareShapes(expected: SchemaShape, actual: SchemaShape): string[] {
  const drift: string[] = [];
  for (const [name, type] of expected.objects) {
    if (actual.objects.get(name) !== type) {
      drift.push(`missing ${type} ${name}`);
      continue;
    }
    const want = expected.definitions?.get(name);
    const have = actual.definitions?.get(name);
    if (want !== undefined && have !== undefined && want !== have)
      drift.push(`${type} ${name} is "${have}", expected "${want}"`);
    const columns = actual.columns.get(name);
    for (const [column, definition] of expected.columns.get(name) ?? []) {
      const found = columns?.get(column);
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
}
