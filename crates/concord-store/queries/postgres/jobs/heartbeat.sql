UPDATE jobs SET lease_expires_at = $3, updated_at = $4
WHERE id = $1 AND state = 'running' AND lease_owner = $2
