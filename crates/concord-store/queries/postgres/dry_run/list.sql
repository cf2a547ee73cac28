SELECT * FROM dry_run_writes
WHERE ($1::TEXT IS NULL OR system = $1) AND ($2::TEXT IS NULL OR kind = $2)
ORDER BY id
LIMIT $3
