-- Key and version of the records of a kind in any of several statuses (a JSON array): one range
-- of the status index, no record data read.
SELECT key, version FROM records WHERE kind = ?1 AND status IN (SELECT value FROM json_each(?2))
