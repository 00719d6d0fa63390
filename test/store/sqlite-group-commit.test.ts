import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/sqlite/group-commit.js';
import { openDatabase, type SqliteDatabase } from '../../src/store/sqlite/open.js';

// Group commit on a real database file: the writes requested in one event-loop turn share one
// transaction, and each operation still succeeds or fails alone.
describe('GroupCommit', () => {
  let dir: string;
  let db: SqliteDatabase;
  let other: SqliteDatabase;
  let group: GroupCommit;
  const rows = (from: SqliteDatabase) =>
    from.prepare<[], string>('SELECT v FROM t ORDER BY rowid').pluck().all();

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-group-'));
    const file = path.join(dir, 'db.sqlite');
    db = openDatabase(file);
    db.exec('CREATE TABLE t (v TEXT NOT NULL UNIQUE)');
    other = openDatabase(file);
    group = new GroupCommit(db);
  });
  afterEach(() => {
    other.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (v: string) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
  // A transaction of its own (nested in the batch, it is a savepoint): inserts two rows or none.
  const insertPair = (a: string, b: string) =>
    db.transaction(() => {
      insert(a);
      insert(b);
    })();

  it('commits the writes of one turn in one transaction, in the order they were asked for', async () => {
    const seenInside: boolean[] = [];
    const writes = ['a', 'b', 'c'].map((v) =>
      group.run(() => {
        seenInside.push(db.inTransaction);
        // Another connection sees nothing of the batch until it commits.
        expect(rows(other)).toEqual([]);
        return insert(v).changes;
      }),
    );
    expect(await Promise.all(writes)).toEqual([1, 1, 1]);
    expect(seenInside).toEqual([true, true, true]);
    expect(rows(other)).toEqual(['a', 'b', 'c']);
  });

  it('rolls back a failing operation alone, whether it is atomic by itself or not', async () => {
    const results = await Promise.allSettled([
      group.run(() => insert('kept-1')),
      // Two statements with no transaction of their own: the batch's savepoint undoes the first.
      group.run(() => {
        insert('undone-1');
        insert('kept-1');
      }),
      // A transaction of its own: its own savepoint undoes its first insert.
      group.runAtomic(() => insertPair('undone-2', 'kept-1')),
      // A single statement that fails changes nothing by itself.
      group.runAtomic(() => insert('kept-1')),
      group.runAtomic(() => insertPair('kept-2', 'kept-3')),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(rows(other)).toEqual(['kept-1', 'kept-2', 'kept-3']);
  });
});
