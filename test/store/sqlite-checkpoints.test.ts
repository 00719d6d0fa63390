import { copyFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { callInput, deploy } from './contract/fixtures.js';

// The process that makes most writes (the gateway) checkpoints the WAL from a background thread, so no
// request pays for copying pages into the database file. What must hold: the database file does get
// the data (the WAL does not just grow), and closing the store ends the thread.
describe('SQLite background checkpoints', () => {
  let dir: string;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function writeCalls(backgroundCheckpoints: boolean): Promise<{ file: string; walFrames: number }> {
    dir = await mkdtemp(path.join(os.tmpdir(), 'switchyard-checkpoint-'));
    const file = path.join(dir, 'switchyard.db');
    store = createSqliteStore({ path: file, backgroundCheckpoints });
    await store.migrate();
    const release = await deploy(store);
    // A few hundred WAL frames: under the main connection's automatic threshold either way.
    for (let i = 0; i < 40; i++) await store.enqueue(callInput(release, { args: { n: i } }));
    const walFrames = (statSync(`${file}-wal`).size - 32) / (4096 + 24);
    return { file, walFrames };
  }

  /** Rows of `calls` in the database file itself, without the WAL (read from a copy of the file alone). */
  function rowsInDatabaseFile(file: string): number {
    const copy = path.join(dir, `copy-${Date.now()}-${Math.random()}.db`);
    copyFileSync(file, copy);
    const plain = new Database(copy);
    try {
      return (plain.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
    } catch {
      return 0; // no calls table in the file yet: nothing was checkpointed
    } finally {
      plain.close();
    }
  }

  it('copies committed pages into the database file from its thread, and stops with the store', async () => {
    const { file, walFrames } = await writeCalls(true);
    expect(walFrames).toBeGreaterThan(40);
    await expect.poll(() => rowsInDatabaseFile(file), { timeout: 5000, interval: 50 }).toBe(40);
    await store!.close();
    store = undefined;
  });

  it('without it, the same writes stay in the WAL (below the automatic threshold)', async () => {
    const { file } = await writeCalls(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(rowsInDatabaseFile(file)).toBe(0);
  });
});
