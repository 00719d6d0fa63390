import { randomBytes } from 'node:crypto';
import type { Migration } from '../migrations.js';
import { compareShapes, migrationFindings, type SchemaShape } from '../schema-drift.js';
import type { SchemaReport } from '../store.js';
import type { Db, Querier } from './db.js';
import { applyMigrations, appliedMigrations } from './migrate.js';

/**
 * Compares the live schema with the shipped migrations: pending versions, applied versions whose file
 * changed or is unknown to this build, and tables, columns, indexes, constraints, triggers and functions
 * that differ, both ways, from a reference built by applying the same migrations to a scratch schema.
 *
 * The reference is real, not a hand-kept list: DDL is transactional in PostgreSQL, so the scratch schema is
 * created, migrated, described from the catalog and rolled back in one transaction nobody else ever sees.
 * It is built once per set of applied migrations and kept (`/readyz` asks often). The live schema is the
 * connection's current schema (the first of its search_path), which should hold Switchyard's objects only.
 */
export class SchemaChecker {
  private readonly references = new Map<string, SchemaShape>();

  constructor(
    private readonly db: Db,
    private readonly shipped: () => Migration[],
  ) {}

  async check(): Promise<SchemaReport> {
    const applied = await appliedMigrations(this.db.read);
    const { pending, drift, prefix } = migrationFindings(applied, this.shipped());
    const key = prefix.map((m) => `${m.version}:${m.checksum}`).join(',');
    let expected = this.references.get(key);
    if (!expected) {
      expected = await this.reference(prefix);
      this.references.set(key, expected);
    }
    const [row] = await this.db.read<{ schema: string }>('SELECT current_schema() AS schema');
    drift.push(...compareShapes(expected, await shapeOf(this.db.read, row?.schema ?? 'public')));
    return { ok: pending.length === 0 && drift.length === 0, applied, pending, drift };
  }

  private async reference(migrations: readonly Migration[]): Promise<SchemaShape> {
    const schema = `switchyard_reference_${randomBytes(6).toString('hex')}`;
    try {
      await this.db.transaction(async (q) => {
        await q(`CREATE SCHEMA ${schema}`);
        await q(`SET LOCAL search_path = ${schema}`);
        await applyMigrations(q, migrations, { lock: false });
        throw new Described(await shapeOf(q, schema));
      });
    } catch (error) {
      if (error instanceof Described) return error.shape;
      throw error;
    }
    throw new Error('unreachable: the reference schema is always rolled back');
  }
}

/** Carries the description out of the transaction, which the throw rolls back. */
class Described extends Error {
  constructor(readonly shape: SchemaShape) {
    super('reference schema described');
  }
}

// Objects that belong to an extension (pgcrypto in the same schema, …) are not ours to judge.
const NOT_EXTENSION = (oid: string, catalog: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

const RELATIONS = `
SELECT c.relname AS name,
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
    WHEN 'S' THEN 'sequence' ELSE 'index' END AS type,
  CASE WHEN c.relkind IN ('i', 'I') THEN pg_get_indexdef(c.oid) END AS definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'I') AND ${NOT_EXTENSION('c.oid', 'pg_class')}`;

const COLUMNS = `
SELECT c.relname AS table, a.attname AS column,
  format_type(a.atttypid, a.atttypmod)
    || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
    || CASE WHEN a.attidentity <> '' THEN ' IDENTITY' ELSE '' END
    || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS definition
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND ${NOT_EXTENSION('c.oid', 'pg_class')}
ORDER BY c.relname, a.attnum`;

// Constraints and triggers are named per table, so their names carry it.
const CONSTRAINTS = `
SELECT c.relname || '.' || k.conname AS name, 'constraint' AS type, pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND ${NOT_EXTENSION('c.oid', 'pg_class')}
UNION ALL
SELECT c.relname || '.' || t.tgname, 'trigger', pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND NOT t.tgisinternal
UNION ALL
SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', 'function',
  CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = $1 AND ${NOT_EXTENSION('p.oid', 'pg_proc')}`;

interface ObjectRow {
  name: string;
  type: string;
  definition: string | null;
}

async function shapeOf(q: Querier, schema: string): Promise<SchemaShape> {
  // Definitions name the schema; the live one and the scratch one must compare equal.
  const unqualified = (text: string) => text.split(`"${schema}".`).join('').split(`${schema}.`).join('');
  const shape: SchemaShape = { objects: new Map(), columns: new Map(), definitions: new Map() };
  for (const row of [
    ...(await q<ObjectRow>(RELATIONS, [schema])),
    ...(await q<ObjectRow>(CONSTRAINTS, [schema])),
  ]) {
    shape.objects.set(row.name, row.type);
    if (row.definition !== null) shape.definitions?.set(row.name, unqualified(row.definition));
  }
  for (const row of await q<{ table: string; column: string; definition: string }>(COLUMNS, [schema])) {
    let columns = shape.columns.get(row.table);
    if (!columns) shape.columns.set(row.table, (columns = new Map()));
    columns.set(row.column, unqualified(row.definition));
  }
  return shape;
}
