import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type StateDb = Database.Database;

/**
 * An emulator's state: one SQLite file per emulated system (WAL), so a restarted emulator keeps its
 * records. `:memory:` for throwaway runs.
 */
export function openState(file: string): StateDb {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 2000');
  return db;
}
