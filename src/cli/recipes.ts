import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { configFrom, output, withStoreOptions, type StoreFlags } from './options.js';
import { withStore } from './store-command.js';

type Flags = StoreFlags & { json?: boolean };

export function registerRecipes(program: Command): void {
  const recipes = program.command('recipes').description('releases and the recipe versions in them');

  withStoreOptions(recipes.command('ls'))
    .description('list releases, newest first (* marks the active one)')
    .option('--json', 'print JSON')
    .action(async (flags: Flags) => {
      const config = configFrom(flags);
      await withStore(config, async (store) => {
        const releases = await store.listReleases(config.workspace, 50);
        output(releases, flags.json ?? false, () =>
          releases.length === 0
            ? 'no releases yet: run `switchyard deploy DIR`'
            : releases
                .map(
                  (r) =>
                    `${r.active ? '*' : ' '} ${r.id}  ${new Date(r.createdAt).toISOString()}  ${r.tools.join(', ')}`,
                )
                .join('\n'),
        );
      });
    });

  withStoreOptions(recipes.command('show <tool>'))
    .description('print the active version of a recipe (or --release ID)')
    .option('--release <id>', 'a release id instead of the active one')
    .option('--json', 'print JSON')
    .action(async (tool: string, flags: Flags & { release?: string }) => {
      const config = configFrom(flags);
      await withStore(config, async (store) => {
        const release = flags.release
          ? await store.getRelease(flags.release)
          : await store.getActiveRelease(config.workspace);
        if (!release)
          throw new UsageError(flags.release ? `no release ${flags.release}` : 'no active release');
        const recipe = release.recipes.find((r) => r.tool === tool);
        if (!recipe) throw new UsageError(`release ${release.id} has no recipe ${tool}`);
        output(
          { release: release.id, ...recipe },
          flags.json ?? false,
          () => `# ${recipe.file} @ ${recipe.digest.slice(0, 12)} (release ${release.id})\n${recipe.source}`,
        );
      });
    });

  withStoreOptions(recipes.command('rollback [release]'))
    .description('activate an earlier release (default: the one before the active one)')
    .action(async (target: string | undefined, flags: Flags) => {
      const config = configFrom(flags);
      await withStore(config, async (store) => {
        const releases = await store.listReleases(config.workspace, 100);
        const activeIndex = releases.findIndex((r) => r.active);
        const chosen = target ?? releases[activeIndex + 1]?.id;
        if (!chosen) throw new UsageError('no earlier release to roll back to');
        await store.activateRelease(config.workspace, chosen);
        process.stdout.write(`active release is now ${chosen}\n`);
      });
    });
}
