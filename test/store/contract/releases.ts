import { expect, it } from 'vitest';
import { sha256 } from '../../../src/core/ids.js';
import type { StoreHarness } from '../store-contract.js';
import { deploy, WORKSPACE } from './fixtures.js';

export function releasesContract(harness: () => StoreHarness): void {
  it('creates and activates a release in one step', async () => {
    const { store } = harness();
    expect(await store.getActiveRelease(WORKSPACE)).toBeNull();
    expect(await store.getActiveReleaseId(WORKSPACE)).toBeNull();
    const release = await deploy(store, WORKSPACE, { echo: 'tool: echo', book: 'tool: book' });
    expect(release).toMatchObject({ workspace: WORKSPACE, note: 'test deploy', active: true });
    expect(release.digest).toBe(sha256([sha256('tool: echo'), sha256('tool: book')].sort().join('\n')));
    expect(release.recipes.map((r) => r.tool).sort()).toEqual(['book', 'echo']);
    expect(release.recipes.find((r) => r.tool === 'book')).toEqual({
      tool: 'book',
      digest: sha256('tool: book'),
      file: 'book.yaml',
      source: 'tool: book',
    });
    expect(await store.getActiveRelease(WORKSPACE)).toEqual(release);
    expect(await store.getActiveReleaseId(WORKSPACE)).toBe(release.id);
    expect(await store.getRelease(release.id)).toEqual(release);
    expect(await store.getRelease('rel_unknown')).toBeNull();
  });

  it('lists releases newest first, and rolls back to an older one', async () => {
    const { store } = harness();
    const first = await deploy(store, WORKSPACE, { echo: 'v1' });
    const second = await deploy(store, WORKSPACE, { echo: 'v2', book: 'b1' });
    let list = await store.listReleases(WORKSPACE);
    expect(list.map((r) => [r.id, r.active])).toEqual([
      [second.id, true],
      [first.id, false],
    ]);
    expect(list[0]?.tools).toEqual(['book', 'echo']);
    expect(await store.listReleases(WORKSPACE, 1)).toHaveLength(1);

    await store.activateRelease(WORKSPACE, first.id);
    expect(await store.getActiveReleaseId(WORKSPACE)).toBe(first.id);
    list = await store.listReleases(WORKSPACE);
    expect(list.map((r) => [r.id, r.active])).toEqual([
      [second.id, false],
      [first.id, true],
    ]);
    expect((await store.getActiveRelease(WORKSPACE))?.recipes.map((r) => r.source)).toEqual(['v1']);
  });

  it('keeps releases immutable and recipe versions content-addressed', async () => {
    const { store } = harness();
    const first = await deploy(store, WORKSPACE, { echo: 'same', book: 'b1' });
    const second = await deploy(store, WORKSPACE, { echo: 'same', book: 'b2' });
    const again = await deploy(store, WORKSPACE, { book: 'b1', echo: 'same' });
    expect(await store.getRelease(first.id)).toEqual({ ...first, active: false });
    expect(second.recipes.find((r) => r.tool === 'echo')).toEqual(
      first.recipes.find((r) => r.tool === 'echo'),
    );
    // Same recipes, same digest, but still a release of its own.
    expect(again.digest).toBe(first.digest);
    expect(again.id).not.toBe(first.id);
  });

  it('withdraws a tool that a later release leaves out', async () => {
    const { store } = harness();
    await deploy(store, WORKSPACE, { echo: 'e', book: 'b' });
    const latest = await deploy(store, WORKSPACE, { echo: 'e' });
    expect((await store.getActiveRelease(WORKSPACE))?.recipes.map((r) => r.tool)).toEqual(['echo']);
    expect(latest.recipes).toHaveLength(1);
  });

  it("refuses to activate another workspace's release or an unknown one", async () => {
    const { store } = harness();
    const mine = await deploy(store, WORKSPACE);
    const theirs = await deploy(store, 'ws_other');
    await expect(store.activateRelease(WORKSPACE, theirs.id)).rejects.toThrow();
    await expect(store.activateRelease(WORKSPACE, 'rel_unknown')).rejects.toThrow();
    expect(await store.getActiveReleaseId(WORKSPACE)).toBe(mine.id);
    expect((await store.listReleases(WORKSPACE)).map((r) => r.id)).toEqual([mine.id]);
  });

  it('rejects a release with two recipes for one tool, leaving nothing behind', async () => {
    const { store } = harness();
    const recipe = { tool: 'echo', digest: sha256('x'), file: 'echo.yaml', source: 'x' };
    await expect(
      store.createRelease({ workspace: WORKSPACE, recipes: [recipe, { ...recipe, file: 'copy.yaml' }] }),
    ).rejects.toThrow();
    expect(await store.listReleases(WORKSPACE)).toEqual([]);
    expect(await store.getActiveRelease(WORKSPACE)).toBeNull();
  });
}
