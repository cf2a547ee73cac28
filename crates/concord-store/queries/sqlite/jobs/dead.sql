UPDATE jobs SET state = 'dead', last_error = ?3, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?4
WHERE id = ?1 AND state = 'running' AND lease_owner = ?2
