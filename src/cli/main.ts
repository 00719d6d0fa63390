import { Command, CommanderError } from 'commander';
import { UsageError } from '../core/errors.js';
import { registerCall } from './call.js';
import { registerCalls } from './calls.js';
import { registerConnections } from './connections.js';
import { registerDemo } from './demo.js';
import { registerDeploy } from './deploy.js';
import { registerDoctor } from './doctor.js';
import { registerRecipes } from './recipes.js';
import { registerServe } from './serve.js';
import { registerTest } from './test.js';

/** Builds the `switchyard` command line. */
export function buildProgram(): Command {
  const program = new Command('switchyard')
    .description('Durable, stateless MCP tools from declarative recipes')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServe(program);
  registerDemo(program);
  registerDeploy(program);
  registerTest(program);
  registerRecipes(program);
  registerCall(program);
  registerCalls(program);
  registerConnections(program);
  registerDoctor(program);
  for (const command of program.commands) propagateExitOverride(command);
  return program;
}

function propagateExitOverride(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) propagateExitOverride(sub);
}

/** Runs the CLI; every failure is one clear line on stderr and a non-zero exit. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed the message (or the help/version it was asked for)
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`switchyard: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchyard: ${message.split('\n')[0]}\n`);
  return 1;
}
