SELECT * FROM dry_run_writes WHERE id = $1
