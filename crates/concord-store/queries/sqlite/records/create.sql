-- A record written only when none exists under its key: a first sighting in one process must
-- never overwrite the fuller record another process's job saved a moment before.
INSERT INTO records (kind, key, status, data, created_at, updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)
ON CONFLICT (kind, key) DO NOTHING
