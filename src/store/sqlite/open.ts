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
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'FULL' ? 'FULL' : 'NORMAL'}`);
  // No sleeping busy handler: the store retries SQLITE_BUSY itself on the next event-loop turn
  // (busy-retry.ts). Opening (the WAL switch) still waits, so processes can start together.
  db.pragma('busy_timeout = 0');
  db.pragma('foreign_keys = ON');
  return db;
}
