-- Fair claims and per-tool concurrency limits.
--
-- A lane is a (workspace, tool) pair. Claims walk the lanes that have runnable calls and take their
-- oldest calls round-robin (across workspaces first, then across the tools of a workspace), so a flood
-- on one tool cannot starve another. `concurrency_limit` is the recipe's `concurrency` as pinned at
-- enqueue: a call starts only while fewer calls of its lane are running.

ALTER TABLE calls ADD COLUMN concurrency_limit INTEGER CHECK (concurrency_limit IS NULL OR concurrency_limit > 0);

-- Runnable calls by lane, in claim order: one seek finds the next lane, one range scan its oldest calls.
CREATE INDEX calls_lanes ON calls (workspace, tool, run_after, created_at) WHERE status IN ('queued', 'retry_wait');
-- Running calls by lane: what a limit counts.
CREATE INDEX calls_running_lanes ON calls (workspace, tool) WHERE status = 'running';
