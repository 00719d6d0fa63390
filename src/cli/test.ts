import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { output } from './options.js';

export function registerTest(program: Command): void {
  program
    .command('test <dir>')
    .description(
      'run the recipe tests in <dir>/tests against recorded connector responses (no system is called)',
    )
    .option('--json', 'print JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const [
        { loadTestFiles },
        { runRecipeTests },
        { builtinConnectors, createConnectorRegistry },
        { createSqliteStore },
      ] = await Promise.all([
        import('../recipe-tests/test-file.js'),
        import('../recipe-tests/run-tests.js'),
        import('../connectors/registry.js'),
        import('../store/sqlite/sqlite-store.js'),
      ]);
      const { files, problems } = await loadTestFiles(dir);
      if (files.length === 0 && problems.length > 0) throw new UsageError(problems.join('\n'));
      // Each run starts from nothing: a private in-memory store, gone when the command ends.
      const store = createSqliteStore({ path: ':memory:' });
      const connectors = createConnectorRegistry(builtinConnectors());
      try {
        const results = await runRecipeTests({ store, connectors, recipesDir: dir, files });
        const failed = results.filter((r) => !r.ok).length + problems.length;
        output({ results, problems }, flags.json ?? false, () =>
          [
            ...problems.map((p) => `✗ ${p}`),
            ...results.map((r) =>
              r.ok
                ? `✓ ${r.tool}: ${r.name}`
                : `✗ ${r.tool}: ${r.name} (${path.basename(r.file)})\n${r.problems.map((p) => `    ${p}`).join('\n')}`,
            ),
            `${results.filter((r) => r.ok).length} passed, ${failed} failed`,
          ].join('\n'),
        );
        if (failed > 0) process.exitCode = 1;
      } finally {
        await store.close();
        await connectors.close();
      }
    });
}
