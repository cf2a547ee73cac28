SELECT * FROM records WHERE kind = ?1 AND status = ?2 ORDER BY key
