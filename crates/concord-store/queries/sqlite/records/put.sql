-- A new record starts its version at the moment it is written, so one deleted and written again
-- never comes back at a version a reader kept from before; every update moves it by one.
INSERT INTO records (kind, key, status, data, created_at, updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)
ON CONFLICT (kind, key) DO UPDATE
SET status = excluded.status, data = excluded.data, updated_at = excluded.updated_at,
    version = records.version + 1
