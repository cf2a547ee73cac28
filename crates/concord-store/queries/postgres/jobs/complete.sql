UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = $3
WHERE id = $1 AND state = 'running' AND lease_owner = $2
