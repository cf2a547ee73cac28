-- A record written only when none exists under its key (see the sqlite query). Mirrors sqlite.
INSERT INTO records (kind, key, status, data, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $5, $5)
ON CONFLICT (kind, key) DO NOTHING
