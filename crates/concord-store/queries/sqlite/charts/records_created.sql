SELECT key, created_at
FROM records
WHERE kind = ?1 AND created_at >= ?2
ORDER BY created_at, key
