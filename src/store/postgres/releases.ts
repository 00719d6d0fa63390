import { newId, sha256 } from '../../core/ids.js';
import type { NewRelease, RecipeVersion, Release, ReleaseSummary } from '../store.js';
import { NOW, type Db, type Querier } from './db.js';

interface ReleaseRow {
  id: string;
  workspace: string;
  digest: string;
  note: string | null;
  created_at: number;
  active: boolean;
}

export interface ReleaseOps {
  createRelease(input: NewRelease): Promise<Release>;
  getActiveRelease(workspace: string): Promise<Release | null>;
  getActiveReleaseId(workspace: string): Promise<string | null>;
  getRelease(id: string): Promise<Release | null>;
  listReleases(workspace: string, limit?: number): Promise<ReleaseSummary[]>;
  activateRelease(workspace: string, releaseId: string): Promise<void>;
}

const RELEASE_COLUMNS = `r.id, r.workspace, r.digest, r.note, r.created_at, coalesce(w.active_release_id = r.id, false) AS active`;
const RELEASES = 'releases r LEFT JOIN workspaces w ON w.workspace = r.workspace';
const BY_ID = `SELECT ${RELEASE_COLUMNS} FROM ${RELEASES} WHERE r.id = $1`;
const RECIPES = `
SELECT m.tool, m.digest, m.file, v.source FROM release_recipes m
JOIN recipe_versions v ON v.workspace = m.workspace AND v.digest = m.digest
WHERE m.release_id = $1 ORDER BY m.tool`;
const LIST = `
SELECT ${RELEASE_COLUMNS},
  array(SELECT tool FROM release_recipes WHERE release_id = r.id ORDER BY tool) AS tools
FROM ${RELEASES} WHERE r.workspace = $1 ORDER BY r.created_at DESC, r.seq DESC LIMIT $2`;
const ACTIVATE = `
INSERT INTO workspaces (workspace, active_release_id, updated_at) VALUES ($1, $2, ${NOW})
ON CONFLICT (workspace) DO UPDATE SET active_release_id = excluded.active_release_id, updated_at = excluded.updated_at`;

export function createReleaseOps(db: Db): ReleaseOps {
  const getRelease = async (id: string, q: Querier = db.read): Promise<Release | null> => {
    const [row] = await q<ReleaseRow>(BY_ID, [id]);
    return row ? { ...summaryFields(row), recipes: await q<RecipeVersion>(RECIPES, [id]) } : null;
  };
  const activeId = async (workspace: string) => {
    const [row] = await db.read<{ id: string }>(
      'SELECT active_release_id AS id FROM workspaces WHERE workspace = $1',
      [workspace],
    );
    return row?.id ?? null;
  };

  return {
    async createRelease(input) {
      const tools = new Set<string>();
      for (const recipe of input.recipes) {
        if (tools.has(recipe.tool))
          throw new Error(`a release cannot hold two recipes for tool ${recipe.tool}`);
        tools.add(recipe.tool);
      }
      const id = newId('rel');
      const digest = sha256(
        input.recipes
          .map((r) => r.digest)
          .sort()
          .join('\n'),
      );
      const recipes = JSON.stringify(input.recipes);
      return db.transaction(async (q) => {
        await q(
          `INSERT INTO releases (id, workspace, digest, note, created_at) VALUES ($1, $2, $3, $4, ${NOW})`,
          [id, input.workspace, digest, input.note ?? null],
        );
        // Content-addressed: an unchanged recipe keeps the version stored by an earlier release.
        await q(
          `INSERT INTO recipe_versions (workspace, digest, source, created_at)
           SELECT $1, r.digest, r.source, ${NOW} FROM json_to_recordset($2::json) AS r(digest text, source text)
           ON CONFLICT (workspace, digest) DO NOTHING`,
          [input.workspace, recipes],
        );
        await q(
          `INSERT INTO release_recipes (workspace, release_id, tool, digest, file)
           SELECT $1, $2, r.tool, r.digest, r.file FROM json_to_recordset($3::json) AS r(tool text, digest text, file text)`,
          [input.workspace, id, recipes],
        );
        await q(ACTIVATE, [input.workspace, id]);
        return (await getRelease(id, q)) as Release;
      });
    },
    getRelease: (id) => getRelease(id),
    getActiveReleaseId: activeId,
    async getActiveRelease(workspace) {
      const id = await activeId(workspace);
      return id === null ? null : getRelease(id);
    },
    async listReleases(workspace, limit = 50) {
      const rows = await db.read<ReleaseRow & { tools: string[] }>(LIST, [workspace, limit]);
      return rows.map((row) => ({ ...summaryFields(row), tools: row.tools }));
    },
    async activateRelease(workspace, releaseId) {
      const [row] = await db.read<ReleaseRow>(BY_ID, [releaseId]);
      if (!row) throw new Error(`unknown release ${releaseId}`);
      if (row.workspace !== workspace)
        throw new Error(`release ${releaseId} does not belong to workspace ${workspace}`);
      // Releases are never deleted or changed, so the check above still holds for this write.
      await db.query(ACTIVATE, [workspace, releaseId]);
    },
  };
}

function summaryFields(row: ReleaseRow): Omit<Release, 'recipes'> {
  return {
    id: row.id,
    workspace: row.workspace,
    digest: row.digest,
    createdAt: row.created_at,
    note: row.note,
    active: row.active,
  };
}
