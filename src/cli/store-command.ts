import type { Store } from '../store/store.js';
import type { ResolvedConfig } from '../config/config.js';

/** Opens the store for a one-shot command, runs `fn`, and always closes it. */
export async function withStore<T>(
  config: ResolvedConfig,
  fn: (store: Store) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  // Loaded on use: `--help` and usage errors should not pay for the store and the platform.
  const { openStore } = await import('../platform.js');
  const store = openStore(config);
  try {
    if (options.migrate ?? true) await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}
