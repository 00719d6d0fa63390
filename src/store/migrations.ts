import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../core/ids.js';

/** The SQL dialects with shipped migrations: one folder each under `src/store/migrations/`. */
export type MigrationDialect = 'sqlite' | 'postgres';

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
export function shippedMigrationsDir(dialect: MigrationDialect): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`no package.json above ${start}: cannot find the ${dialect} migrations`);
    dir = parent;
  }
  return path.join(dir, 'src', 'store', 'migrations', dialect);
}

/** The numbered migrations of `dialect` (from `dir`, by default the shipped ones), in order. */
export function loadMigrations(
  dialect: MigrationDialect,
  dir: string = shippedMigrationsDir(dialect),
): Migration[] {
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
      throw new Error(`two ${dialect} migrations share version ${m.version}`);
  });
  return migrations;
}
