import type { Store } from '../store/store.js';
import type { ActionRegistry } from './compile.js';
import type { Descriptor } from './descriptor.js';
import type { Recipe } from './recipe.js';
import { compileRecipeSet } from './recipe-set.js';

/** The compiled recipes of a release, by tool name. */
export interface ReleaseCatalog {
  recipes(releaseId: string): Promise<ReadonlyMap<string, Recipe>>;
  /** The release's prompts and resources, in key order. */
  descriptors(releaseId: string): Promise<readonly Descriptor[]>;
}

interface CompiledRelease {
  recipes: ReadonlyMap<string, Recipe>;
  descriptors: readonly Descriptor[];
}

/**
 * Compiles a release's recipes once and keeps them: releases are immutable, so a release id names the
 * same recipes forever. Calls pinned to an older release keep running on it after a new deploy.
 */
export function createReleaseCatalog(
  store: Store,
  registry: ActionRegistry,
  options: { maxReleases?: number } = {},
): ReleaseCatalog {
  const cache = new Map<string, Promise<CompiledRelease>>();
  const max = options.maxReleases ?? 32;

  async function load(releaseId: string): Promise<CompiledRelease> {
    const release = await store.getRelease(releaseId);
    if (!release) return { recipes: new Map(), descriptors: [] };
    const set = compileRecipeSet(
      release.recipes.map((r) => ({ file: r.file, source: r.source })),
      registry,
    );
    return {
      recipes: new Map(set.recipes.map((r) => [r.recipe.tool, r.recipe])),
      descriptors: (set.descriptors ?? [])
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((d) => d.descriptor),
    };
  }

  function compiled(releaseId: string): Promise<CompiledRelease> {
    let found = cache.get(releaseId);
    if (!found) {
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      found = load(releaseId);
      found.catch(() => cache.delete(releaseId));
      cache.set(releaseId, found);
    }
    return found;
  }

  return {
    recipes: async (releaseId) => (await compiled(releaseId)).recipes,
    descriptors: async (releaseId) => (await compiled(releaseId)).descriptors,
  };
}
