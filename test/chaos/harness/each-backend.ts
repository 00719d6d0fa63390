import { afterEach, describe, it } from 'vitest';
import { usePostgres } from '../../helpers/postgres.js';
import { chaosWorld, type ChaosWorld } from './world.js';

export type BackendKind = 'sqlite' | 'postgres';

/**
 * Declares a scenario's test on SQLite and on PostgreSQL (an embedded server, a database of its own),
 * each with a fresh world that is closed after it. `names` are the two tests' titles.
 */
export function onEachBackend(
  names: Record<BackendKind, string>,
  run: (world: ChaosWorld, backend: BackendKind) => Promise<void>,
): void {
  let world: ChaosWorld | null = null;
  afterEach(async () => {
    await world?.close();
    world = null;
  });

  it(`SQLite: ${names.sqlite}`, async () => {
    world = await chaosWorld({});
    await run(world, 'sqlite');
  });

  describe('PostgreSQL', () => {
    const postgres = usePostgres();
    it(names.postgres, async () => {
      world = await chaosWorld({ postgresUrl: await postgres().createDatabase() });
      await run(world, 'postgres');
    });
  });
}
