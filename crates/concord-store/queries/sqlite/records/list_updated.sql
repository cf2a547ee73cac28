SELECT * FROM records WHERE kind = ?1 AND updated_at >= ?2 ORDER BY updated_at, key
