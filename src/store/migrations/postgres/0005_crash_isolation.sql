-- Crash isolation: a worker process that dies takes every call it was running down with it, so a crash
-- counts against all of them, the one that caused it and its innocent neighbours alike. A call whose
-- crashes reach the limit is therefore run alone before it is dead-lettered: claimed only by a worker
-- that runs nothing else, which then takes nothing else until it ends. `isolated` says the current (or
-- last) attempt ran that way; only a crash of an isolated attempt dead-letters the call.

ALTER TABLE calls ADD COLUMN isolated INTEGER NOT NULL DEFAULT 0 CHECK (isolated IN (0, 1));

-- Runnable calls that crashed before, oldest first: few, and what an idle worker looks for first.
CREATE INDEX calls_suspects ON calls (run_after, created_at, seq) WHERE status IN ('queued', 'retry_wait') AND crash_count > 0;
