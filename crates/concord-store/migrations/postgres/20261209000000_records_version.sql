-- Every write of a record moves its version, so a process can keep the records it parsed and
-- read again only those whose version moved (the stock formula's in-flight orders are read before
-- every stock write and lowering). With the version in the status index, "which records in these
-- statuses, at which versions" is one index range that never touches a record's data.
-- Mirrors the other backend's migration.
ALTER TABLE records ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
DROP INDEX records_status_key;
CREATE INDEX records_status_key ON records (kind, status, key, version);
