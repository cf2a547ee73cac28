UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?2, updated_at = ?2
WHERE id = ?1 AND state = 'dead'
