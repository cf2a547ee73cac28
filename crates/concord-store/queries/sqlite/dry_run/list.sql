SELECT * FROM dry_run_writes
WHERE (?1 IS NULL OR system = ?1) AND (?2 IS NULL OR kind = ?2)
ORDER BY id
LIMIT ?3
