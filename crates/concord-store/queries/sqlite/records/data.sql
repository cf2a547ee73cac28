SELECT key, data FROM records WHERE kind = ?1 ORDER BY key
