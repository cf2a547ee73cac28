-- A record's status moved only while it is still the expected one, its data untouched: a reader
-- that decided from an older copy must not write that copy back over a newer one.
UPDATE records SET status = ?4, updated_at = ?5, version = version + 1
WHERE kind = ?1 AND key = ?2 AND status = ?3
