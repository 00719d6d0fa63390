import { Agent } from 'undici';
import { createSsrfGuard, type SsrfGuard } from './ssrf-guard.js';

export interface GuardedDispatcher {
  agent: Agent;
  guard: SsrfGuard;
}

/**
 * One undici Agent (and so one connection pool) per distinct `allow_hosts` list, each connecting through
 * its guard's DNS lookup, so the address checked is the address connected to.
 */
export function createDispatcherCache(): {
  get(allowHosts: readonly string[]): GuardedDispatcher;
  close(): Promise<void>;
} {
  const cache = new Map<string, GuardedDispatcher>();
  return {
    get(allowHosts) {
      const key = [...allowHosts].sort().join('\n');
      let entry = cache.get(key);
      if (!entry) {
        const guard = createSsrfGuard(allowHosts);
        entry = { guard, agent: new Agent({ connect: { lookup: guard.lookup } }) };
        cache.set(key, entry);
      }
      return entry;
    },
    async close() {
      const agents = [...cache.values()].map((e) => e.agent);
      cache.clear();
      await Promise.allSettled(agents.map((agent) => agent.close()));
    },
  };
}
