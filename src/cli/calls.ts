import { InvalidArgumentError, type Command } from 'commander';
import { CALL_STATUSES, isTerminal, type CallStatus } from '../core/call-status.js';
import { UsageError } from '../core/errors.js';
import type { AttemptRecord, CallRecord, JournalEntry } from '../store/store.js';
import { configFrom, output, withStoreOptions, type StoreFlags } from './options.js';
import { withStore } from './store-command.js';

type Flags = StoreFlags & { json?: boolean };

export function registerCalls(program: Command): void {
  const calls = program.command('calls').description('inspect and operate on calls (the audit trail)');

  withStoreOptions(calls.command('ls'))
    .description('list calls, newest first')
    .option('--status <status>', `one of ${CALL_STATUSES.join(', ')}`)
    .option('--tool <tool>', 'only this tool')
    .option('--limit <n>', 'how many (1..1000)', parseLimit, 20)
    .option('--json', 'print JSON')
    .action(async (flags: Flags & { status?: string; tool?: string; limit: number }) => {
      if (flags.status && !(CALL_STATUSES as readonly string[]).includes(flags.status)) {
        throw new UsageError(`--status must be one of ${CALL_STATUSES.join(', ')}`);
      }
      const config = configFrom(flags);
      await withStore(config, async (store) => {
        const list = await store.listCalls({
          workspace: config.workspace,
          status: flags.status as CallStatus | undefined,
          tool: flags.tool,
          limit: flags.limit,
        });
        output(list, flags.json ?? false, () =>
          list.length === 0 ? 'no calls' : list.map(summaryLine).join('\n'),
        );
      });
    });

  withStoreOptions(calls.command('show <id>'))
    .description('status, attempts, step timings and result of one call')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: Flags) => {
      await withStore(configFrom(flags), async (store) => {
        const call = await store.getCall(id);
        if (!call) throw new UsageError(`no call ${id}`);
        const [attempts, journal] = await Promise.all([store.listAttempts(id), store.listJournal(id)]);
        output({ call, attempts, journal }, flags.json ?? false, () => describe(call, attempts, journal));
      });
    });

  withStoreOptions(calls.command('record <id>'))
    .description(
      'print a recipe test case (YAML) built from a call: its input, recorded responses and ending',
    )
    .option('--name <name>', 'the case name')
    .action(async (id: string, flags: Flags & { name?: string }) => {
      const { recordCase } = await import('../recipe-tests/record.js');
      await withStore(configFrom(flags), async (store) => {
        const call = await store.getCall(id);
        if (!call) throw new UsageError(`no call ${id}`);
        if (!isTerminal(call.status)) throw new UsageError(`call ${id} has not settled (${call.status})`);
        process.stdout.write(recordCase(call, await store.listJournal(id), flags.name));
      });
    });

  withStoreOptions(calls.command('cancel <id>'))
    .description('cancel a call that has not settled')
    .option('--reason <text>', 'why', 'cancelled by an operator')
    .action(async (id: string, flags: Flags & { reason: string }) => {
      await withStore(configFrom(flags), async (store) => {
        const before = await store.getCall(id);
        if (!before) throw new UsageError(`no call ${id}`);
        if (isTerminal(before.status)) throw alreadyEnded(id, before.status);
        const after = await store.cancel(id, flags.reason);
        // It may have settled between the read and the cancel.
        if (after?.status !== 'cancelled') throw alreadyEnded(id, after?.status ?? before.status);
        process.stdout.write(`cancelled ${id}\n`);
      });
    });
}

function alreadyEnded(id: string, status: CallStatus): UsageError {
  return new UsageError(`call ${id} already ended (${status}); nothing to cancel`);
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new InvalidArgumentError('expected a whole number 1..1000');
  return n;
}

function summaryLine(call: CallRecord): string {
  const took = call.settledAt ? `${call.settledAt - call.createdAt} ms` : '';
  return `${call.id}  ${call.status.padEnd(15)} ${call.tool.padEnd(24)} ${new Date(call.createdAt).toISOString()}  ${took}`;
}

function describe(call: CallRecord, attempts: AttemptRecord[], journal: JournalEntry[]): string {
  const lines = [
    `call     ${call.id}`,
    `tool     ${call.tool} (release ${call.releaseId})`,
    `status   ${call.status}  attempts ${call.attempt}  errors ${call.errorAttempts}  crashes ${call.crashCount}`,
    `created  ${new Date(call.createdAt).toISOString()}${call.settledAt ? `  settled after ${call.settledAt - call.createdAt} ms` : ''}`,
    `key      ${call.idempotencyKey ?? '-'}${call.idempotencySource ? ` (${call.idempotencySource})` : ''}`,
    '',
    'attempts:',
    ...attempts.map(
      (a) =>
        `  #${a.attempt} token ${a.leaseToken} ${a.workerId} ${a.outcome}${a.endedAt ? ` ${a.endedAt - a.startedAt} ms` : ''}${a.error ? ` ${a.error.code}` : ''}`,
    ),
    '',
    'steps:',
    ...journal.map(
      (s) =>
        `  [${s.attempt}] ${s.stepPath.padEnd(16)} ${(s.target ?? s.kind).padEnd(22)} ${s.status.padEnd(9)} ${s.finishedAt ? `${s.finishedAt - s.startedAt} ms` : ''}${s.error ? ` ${s.error.code}: ${s.error.message}` : ''}`,
    ),
    '',
    call.status === 'succeeded'
      ? `result   ${JSON.stringify(call.result)}`
      : `error    ${call.error ? JSON.stringify(call.error) : '-'}`,
  ];
  return lines.join('\n');
}
