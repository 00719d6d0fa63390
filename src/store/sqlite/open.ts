import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;
export type SqliteSynchronous = 'NORMAL' | 'FULL';

/**
 * Opens the database in WAL mode. NORMAL survives process crashes (the default: killing a worker loses
 * nothing); FULL also survives power loss, at the cost of an fsync per commit.
 */
export function openDatabase(
  file: string,
  options: { synchronous?: SqliteSynchronous } = {},
): SqliteDatabase {
  if (file !== ':memory:' && !file.startsWith('file:'))
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  // Writers from other processes queue behind each other instead of failing with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
