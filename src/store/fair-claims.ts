/**
 * Which runnable calls a claim takes, and in what order: the policy both backends implement (SQLite in
 * code, with this module; PostgreSQL in its claim statement, with the same rules in SQL).
 *
 * A lane is a (workspace, tool) pair. Within a lane, calls run oldest first. Across lanes, the share of
 * calls already running decides: a claim first serves the lanes, and the workspaces, with the fewest
 * calls running, so a flood of calls on one tool (or from one workspace) takes the slots it can get
 * but never keeps another tool's call waiting behind it. In numbers:
 *
 * - a call's `laneTurn` is its lane's running calls plus its place in the lane (1 = the oldest);
 * - within a workspace, calls are ordered by `laneTurn` (ties oldest first), and a call's `turn` is its
 *   workspace's running calls plus its place in that order;
 * - a claim takes calls by `turn`, ties oldest first.
 *
 * So with four calls of `bulk_sync` running and one of `lookup` waiting, the `lookup` call (turn 1)
 * goes before the next `bulk_sync` call (turn 5), and a workspace with nothing running goes before one
 * that fills the workers. The order needs no memory between claims: what is running is the memory.
 *
 * A recipe's `concurrency` caps the calls of its lane running at once. The limit is pinned on each call
 * at enqueue; a lane follows the limit of its oldest runnable call (so a deploy that changes the limit
 * takes effect as the calls enqueued after it reach the head of the lane). With `running` calls of the
 * lane running and a limit L, a claim takes at most L - running of the lane's calls.
 */

/** A runnable call, as a claim sees it: the first `limit` of its lane, in lane order. */
export interface LaneCandidate {
  id: string;
  workspace: string;
  tool: string;
  runAfter: number;
  createdAt: number;
  /** Insertion order, the last tie-break. */
  seq: number;
  /** The recipe's `concurrency` pinned at enqueue, or null for no limit. */
  concurrencyLimit: number | null;
}

/** How many calls of a lane are running. */
export interface LaneLoad {
  workspace: string;
  tool: string;
  running: number;
}

/**
 * Orders the candidates fairly and returns the ids of the first `limit` that may start. `lanes` holds
 * each lane's candidates oldest first; `load` the running calls of every lane that has any.
 */
export function pickFairly(
  lanes: readonly (readonly LaneCandidate[])[],
  load: readonly LaneLoad[],
  limit: number,
): string[] {
  const laneRunning = new Map<string, number>();
  const workspaceRunning = new Map<string, number>();
  for (const { workspace, tool, running } of load) {
    laneRunning.set(laneKey(workspace, tool), running);
    workspaceRunning.set(workspace, (workspaceRunning.get(workspace) ?? 0) + running);
  }

  const byWorkspace = new Map<string, { call: LaneCandidate; laneTurn: number }[]>();
  for (const lane of lanes) {
    const first = lane[0];
    if (!first) continue;
    const running = laneRunning.get(laneKey(first.workspace, first.tool)) ?? 0;
    const slots = first.concurrencyLimit === null ? lane.length : first.concurrencyLimit - running;
    const calls = byWorkspace.get(first.workspace) ?? [];
    lane
      .slice(0, Math.max(slots, 0))
      .forEach((call, index) => calls.push({ call, laneTurn: running + index + 1 }));
    byWorkspace.set(first.workspace, calls);
  }

  const turns: { call: LaneCandidate; turn: number }[] = [];
  for (const [workspace, calls] of byWorkspace) {
    const running = workspaceRunning.get(workspace) ?? 0;
    calls.sort((a, b) => a.laneTurn - b.laneTurn || byAge(a.call, b.call));
    calls.forEach(({ call }, index) => turns.push({ call, turn: running + index + 1 }));
  }
  turns.sort((a, b) => a.turn - b.turn || byAge(a.call, b.call));
  return turns.slice(0, limit).map(({ call }) => call.id);
}

function laneKey(workspace: string, tool: string): string {
  return JSON.stringify([workspace, tool]);
}

/** Queue order: due first, then enqueued first, then inserted first. */
export function byAge(
  a: Pick<LaneCandidate, 'runAfter' | 'createdAt' | 'seq'>,
  b: Pick<LaneCandidate, 'runAfter' | 'createdAt' | 'seq'>,
): number {
  return a.runAfter - b.runAfter || a.createdAt - b.createdAt || a.seq - b.seq;
}
