-- Records of a kind in any of several statuses (a JSON array), in key order: one statement where
-- a status-by-status read took one per status (the in-flight orders are in six).
SELECT * FROM records WHERE kind = ?1 AND status IN (SELECT value FROM json_each(?2)) ORDER BY key
