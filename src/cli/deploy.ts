import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { configFrom, output, withStoreOptions, type StoreFlags } from './options.js';
import { withStore } from './store-command.js';

export function registerDeploy(program: Command): void {
  withStoreOptions(program.command('deploy <dir>'))
    .description('validate a recipes folder and activate it as one new release (all or nothing)')
    .option('--json', 'print JSON')
    .action(async (dir: string, flags: StoreFlags & { json?: boolean }) => {
      const config = configFrom(flags);
      const { builtinConnectors, createConnectorRegistry } = await import('../connectors/registry.js');
      const { deployFolder } = await import('../recipes/deploy-folder.js');
      const connectors = createConnectorRegistry(builtinConnectors());
      await withStore(config, async (store) => {
        const result = await deployFolder(store, connectors, dir, config.workspace);
        output(result, flags.json ?? false, () =>
          result.changed
            ? `deployed release ${result.release.id} (${result.release.recipes.length} recipes: ${result.release.recipes.map((r) => r.tool).join(', ')})`
            : `unchanged: release ${result.release.id} is already active`,
        );
      });
    });

  program
    .command('validate <dir>')
    .description('check every recipe in a folder; prints each error with file and line')
    .option('--json', 'print JSON')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const { builtinConnectors, createConnectorRegistry } = await import('../connectors/registry.js');
      const { loadRecipeFolder } = await import('../recipes/load-folder.js');
      const connectors = createConnectorRegistry(builtinConnectors());
      const result = await loadRecipeFolder(dir, connectors);
      const errors = result.errors.map((e) => ({ file: e.file, line: e.line, message: e.message }));
      output(
        { ok: errors.length === 0, recipes: result.recipes.map((r) => r.recipe.tool), errors },
        flags.json ?? false,
        () =>
          errors.length === 0
            ? `ok: ${result.recipes.length} recipes (${result.recipes.map((r) => r.recipe.tool).join(', ')})`
            : errors.map((e) => `${e.file}:${e.line ?? 1}: ${e.message}`).join('\n'),
      );
      if (errors.length > 0) throw new UsageError(`${errors.length} error(s) in ${dir}`);
    });
}
