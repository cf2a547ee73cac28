-- Held orders, drafts and in-flight candidates are read by (kind, status) in key order. With the
-- key in the index, that read is one index range in order; on (kind, status) alone SQLite's
-- planner preferred the primary key to avoid the sort, scanning every record of the kind.
-- Mirrors migrations/postgres.
DROP INDEX records_status;
CREATE INDEX records_status_key ON records (kind, status, key);
