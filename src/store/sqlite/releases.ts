import { newId, sha256 } from '../../core/ids.js';
import type { NewRelease, RecipeVersion, Release, ReleaseSummary } from '../store.js';
import type { SqliteDatabase } from './open.js';

interface ReleaseRow {
  id: string;
  workspace: string;
  digest: string;
  note: string | null;
  created_at: number;
  active: number;
}

export interface ReleaseOps {
  createRelease(input: NewRelease): Release;
  getActiveRelease(workspace: string): Release | null;
  getActiveReleaseId(workspace: string): string | null;
  getRelease(id: string): Release | null;
  listReleases(workspace: string, limit?: number): ReleaseSummary[];
  activateRelease(workspace: string, releaseId: string): void;
}

const RELEASE_COLUMNS = `r.id, r.workspace, r.digest, r.note, r.created_at, coalesce(w.active_release_id = r.id, 0) AS active`;
const RELEASES = 'releases r LEFT JOIN workspaces w ON w.workspace = r.workspace';

export function createReleaseOps(db: SqliteDatabase): ReleaseOps {
  const insertRelease = db.prepare(
    'INSERT INTO releases (id, workspace, digest, note, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const insertVersion = db.prepare(
    'INSERT OR IGNORE INTO recipe_versions (workspace, digest, source, created_at) VALUES (?, ?, ?, ?)',
  );
  const insertMember = db.prepare(
    'INSERT INTO release_recipes (workspace, release_id, tool, digest, file) VALUES (?, ?, ?, ?, ?)',
  );
  const activate = db.prepare(
    `INSERT INTO workspaces (workspace, active_release_id, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (workspace) DO UPDATE SET active_release_id = excluded.active_release_id, updated_at = excluded.updated_at`,
  );
  const byId = db.prepare<[string], ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM ${RELEASES} WHERE r.id = ?`);
  const activeId = db
    .prepare<[string], string>('SELECT active_release_id FROM workspaces WHERE workspace = ?')
    .pluck();
  const recipesOf = db.prepare<[string], RecipeVersion>(
    `SELECT m.tool, m.digest, m.file, v.source FROM release_recipes m
     JOIN recipe_versions v ON v.workspace = m.workspace AND v.digest = m.digest
     WHERE m.release_id = ? ORDER BY m.tool`,
  );
  const list = db.prepare<[string, number], ReleaseRow & { tools: string }>(
    `SELECT ${RELEASE_COLUMNS},
       (SELECT json_group_array(tool) FROM (SELECT tool FROM release_recipes WHERE release_id = r.id ORDER BY tool)) AS tools
     FROM ${RELEASES} WHERE r.workspace = ? ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?`,
  );

  const getRelease = (id: string): Release | null => {
    const row = byId.get(id);
    return row ? { ...summaryFields(row), recipes: recipesOf.all(id) } : null;
  };

  const create = db.transaction((input: NewRelease): Release => {
    const tools = new Set<string>();
    for (const recipe of input.recipes) {
      if (tools.has(recipe.tool))
        throw new Error(`a release cannot hold two recipes for tool ${recipe.tool}`);
      tools.add(recipe.tool);
    }
    const id = newId('rel');
    const now = Date.now();
    const digest = sha256(
      input.recipes
        .map((r) => r.digest)
        .sort()
        .join('\n'),
    );
    insertRelease.run(id, input.workspace, digest, input.note ?? null, now);
    for (const r of input.recipes) {
      // Content-addressed: an unchanged recipe keeps the version stored by an earlier release.
      insertVersion.run(input.workspace, r.digest, r.source, now);
      insertMember.run(input.workspace, id, r.tool, r.digest, r.file);
    }
    activate.run(input.workspace, id, now);
    return getRelease(id) as Release;
  });

  const activateRelease = db.transaction((workspace: string, releaseId: string) => {
    const row = byId.get(releaseId);
    if (!row) throw new Error(`unknown release ${releaseId}`);
    if (row.workspace !== workspace)
      throw new Error(`release ${releaseId} does not belong to workspace ${workspace}`);
    activate.run(workspace, releaseId, Date.now());
  });

  return {
    createRelease: (input) => create.immediate(input),
    getRelease,
    getActiveReleaseId: (workspace) => activeId.get(workspace) ?? null,
    getActiveRelease(workspace) {
      const id = activeId.get(workspace);
      return id === undefined ? null : getRelease(id);
    },
    listReleases: (workspace, limit = 50) =>
      list
        .all(workspace, limit)
        .map((row) => ({ ...summaryFields(row), tools: JSON.parse(row.tools) as string[] })),
    activateRelease: (workspace, releaseId) => activateRelease.immediate(workspace, releaseId),
  };
}

function summaryFields(row: ReleaseRow): Omit<Release, 'recipes'> {
  return {
    id: row.id,
    workspace: row.workspace,
    digest: row.digest,
    createdAt: row.created_at,
    note: row.note,
    active: row.active === 1,
  };
}
