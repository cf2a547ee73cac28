-- A lease that expired on the last allowed attempt dead-letters instead of looping forever.
UPDATE jobs
SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
    last_error = 'lease of ' || lease_owner || ' expired',
    lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
WHERE state = 'running' AND lease_expires_at < $1
