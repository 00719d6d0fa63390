import { watch } from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { Release, Store } from '../store/store.js';
import type { ActionRegistry } from './compile.js';
import { loadRecipeFolder } from './load-folder.js';

export interface DeployResult {
  release: Release;
  /** False when the folder equals the active release (nothing was created). */
  changed: boolean;
}

/**
 * Validates a recipes folder as a whole and activates it as one new immutable release: all or nothing.
 * A file missing from the folder is a tool withdrawn in the new release.
 */
export async function deployFolder(
  store: Store,
  registry: ActionRegistry,
  dir: string,
  workspace: string,
): Promise<DeployResult> {
  const set = await loadRecipeFolder(dir, registry);
  if (set.errors.length > 0) {
    const lines = set.errors.map((e) => `${e.file}:${e.line ?? 1}: ${e.message}`);
    throw new UsageError(`${set.errors.length} error(s); nothing deployed:\n${lines.join('\n')}`);
  }
  const active = await store.getActiveRelease(workspace);
  const digests = (recipes: { tool: string; digest: string }[]) =>
    recipes
      .map((r) => `${r.tool}:${r.digest}`)
      .sort()
      .join(',');
  const wanted = [
    ...set.recipes.map((r) => ({ tool: r.recipe.tool, digest: r.digest, file: r.file, source: r.source })),
    // Prompts and resources ride in the same release under their keys (`prompt:NAME`, …).
    ...(set.descriptors ?? []).map((d) => ({
      tool: d.key,
      digest: d.digest,
      file: d.file,
      source: d.source,
    })),
  ];
  if (active && digests(active.recipes) === digests(wanted)) return { release: active, changed: false };
  const release = await store.createRelease({ workspace, recipes: wanted, note: dir });
  return { release, changed: true };
}

/** Calls `onChange` (debounced) when files in `dir` change. Returns a function that stops watching. */
export function watchFolder(dir: string, onChange: () => Promise<void>, debounceMs = 200): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const watcher = watch(dir, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(onChange, onChange);
    }, debounceMs);
  });
  watcher.on('error', () => undefined);
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
