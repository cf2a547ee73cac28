SELECT attempts, retry FROM jobs
WHERE id = ?1 AND state = 'running' AND lease_owner = ?2
