-- Nothing to change here: the SQLite migration of the same number rewrites its CHECK constraints because
-- SQLite evaluates an IN list of constants through a temporary b-tree per statement; PostgreSQL
-- evaluates the same constraints in place. The number is kept so both backends list the same migrations.
SELECT 1;
