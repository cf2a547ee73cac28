-- A record's status moved only while it is still the expected one (see the sqlite query). Mirrors sqlite.
UPDATE records SET status = $4, updated_at = $5, version = version + 1
WHERE kind = $1 AND key = $2 AND status = $3
