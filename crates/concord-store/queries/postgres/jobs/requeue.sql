-- Back to queued at $4; $3 is 1 when this run must not count as an attempt.
UPDATE jobs
SET state = 'queued', attempts = attempts - $3, run_at = $4, last_error = COALESCE($5, last_error),
    lease_owner = NULL, lease_expires_at = NULL, updated_at = $6
WHERE id = $1 AND state = 'running' AND lease_owner = $2
