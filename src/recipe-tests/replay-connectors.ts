import { CallError } from '../core/errors.js';
import type { ConnectorAction } from '../connectors/connector.js';
import type { ConnectorRegistry } from '../connectors/registry.js';
import type { Recording } from './test-file.js';

/**
 * The connector registry a recipe test runs against: the real connectors' names, schemas and effects,
 * but every action answers with the response recorded for its step (by step path, in order) instead of
 * calling the system. It remembers which steps ran, and which recordings were never used.
 */
export function replayRegistry(
  real: ConnectorRegistry,
  recordings: Record<string, Recording[]>,
): ConnectorRegistry & { ran: string[]; unused(): string[] } {
  const queues = new Map(Object.entries(recordings).map(([p, list]) => [p, [...list]]));
  const ran: string[] = [];
  const replaying = (target: string, action: ConnectorAction): ConnectorAction => ({
    ...action,
    async run(_input, ctx) {
      const stepPath = ctx.stepKey.slice(ctx.callId.length + 1);
      ran.push(stepPath);
      const next = queues.get(stepPath)?.shift();
      if (!next)
        throw new CallError({
          code: 'INTERNAL',
          message: `step ${stepPath} (${target}) ran, but the test case has no recorded response for it${recordings[stepPath] ? ' left' : ''}`,
          retrySafe: false,
        });
      if ('error' in next) throw new CallError(next.error);
      return { output: next.output };
    },
  });
  return {
    ...real,
    action(connector, name) {
      const action = real.action(connector, name);
      return action && replaying(`${connector}.${name}`, action);
    },
    ran,
    unused: () => [...queues.entries()].filter(([, left]) => left.length > 0).map(([p]) => p),
  };
}
