-- Fair claims and per-tool concurrency limits.
--
-- A lane is a (workspace, tool) pair. Claims walk the lanes that have runnable calls and take their
-- oldest calls round-robin (across workspaces first, then across the tools of a workspace), so a flood
-- on one tool cannot starve another. `concurrency_limit` is the recipe's `concurrency` as pinned at
-- enqueue: a call starts only while fewer calls of its lane are running.

ALTER TABLE calls ADD COLUMN concurrency_limit INTEGER CHECK (concurrency_limit IS NULL OR concurrency_limit > 0);

-- Runnable calls by lane, in claim order: one seek finds the next lane, one range scan its oldest calls.
CREATE INDEX calls_lanes ON calls (workspace, tool, run_after, created_at, seq) WHERE status IN ('queued', 'retry_wait');
-- Running calls by lane: what a limit counts.
CREATE INDEX calls_running_lanes ON calls (workspace, tool) WHERE status = 'running';

-- How many calls of a lane are running, counted after taking the lane's claim lock; NULL when another
-- claimer holds that lock (the lane is skipped for this claim, like a row under SKIP LOCKED).
--
-- Claims run under READ COMMITTED with many claimers at once, so a count taken from the claim
-- statement's own snapshot could miss calls another claimer has just started, and both would start
-- one more. The lock is transaction-scoped: it is released when the claimer that holds it commits,
-- and this function is VOLATILE, so its count runs on a snapshot taken after the lock was granted and
-- sees every call the previous holder started.
CREATE FUNCTION switchyard_lane_running(p_workspace TEXT, p_tool TEXT) RETURNS BIGINT
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended('switchyard lane ' || p_workspace || '/' || p_tool, 0)) THEN
    RETURN NULL;
  END IF;
  RETURN (SELECT count(*) FROM calls WHERE status = 'running' AND workspace = p_workspace AND tool = p_tool);
END $$;
