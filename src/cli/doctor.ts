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
          `database  ${config.databaseUrl}`,
          `applied   ${report.applied.map((m) => `${m.version} ${m.name}`).join(', ') || 'none'}`,
          `pending   ${report.pending.map((m) => `${m.version} ${m.name}`).join(', ') || 'none'}`,
          report.drift.length
            ? `drift:\n${report.drift.map((d) => `  - ${d}`).join('\n')}`
            : 'drift     none',
          report.ok ? 'ok' : 'NOT OK',
        ].join('\n'),
      );
      if (!report.ok) throw new UsageError('schema is not current (see above)');
    });
}
