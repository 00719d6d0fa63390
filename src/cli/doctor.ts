import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { configFrom, output, withStoreOptions, type StoreFlags } from './options.js';
import { withStore } from './store-command.js';

export function registerDoctor(program: Command): void {
  withStoreOptions(program.command('doctor'))
    .description('check the store: reachable, migrations applied, no schema drift')
    .option('--json', 'print JSON')
    .action(async (flags: StoreFlags & { json?: boolean }) => {
      const config = configFrom(flags);
      // A diagnosis must not create what it diagnoses: opening a missing SQLite file would create it.
      const file = sqliteFile(config.databaseUrl);
      if (file && !existsSync(file))
        throw new UsageError(`no database at ${file} (run \`switchyard serve\` or \`deploy\` to create it)`);
      const report = await withStore(
        config,
        async (store) => {
          await store.ping();
          return store.checkSchema();
        },
        { migrate: false },
      );
      output(report, flags.json ?? false, () =>
        [
          `database  ${config.databaseUrl.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')}`,
          `applied   ${report.applied.map((m) => `${m.version} ${m.name}`).join(', ') || 'none'}`,
          `pending   ${report.pending.map((m) => `${m.version} ${m.name}`).join(', ') || 'none'}`,
          report.drift.length
            ? `drift:\n${report.drift.map((d) => `  - ${d}`).join('\n')}`
            : 'drift     none',
          report.ok ? 'ok' : 'NOT OK',
        ].join('\n'),
      );
      if (!report.ok) {
        const problems = [
          report.drift.length ? `schema drift (${report.drift.length} finding(s))` : '',
          report.pending.length ? `${report.pending.length} migration(s) pending` : '',
        ].filter(Boolean);
        throw new UsageError(`store is not healthy: ${problems.join(', ') || 'see above'}`);
      }
    });
}

/** The file of a `sqlite:` database URL (as the store opens it), or null for other URLs and `:memory:`. */
function sqliteFile(url: string): string | null {
  if (!url.startsWith('sqlite:')) return null;
  const file = url.slice('sqlite:'.length);
  return file === ':memory:' ? null : path.resolve(file);
}
