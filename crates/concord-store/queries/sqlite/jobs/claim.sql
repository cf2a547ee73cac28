-- One statement takes the write lock first, so two claimers can never pick the same row.
UPDATE jobs
SET state = 'running', attempts = attempts + 1, lease_owner = ?1, lease_expires_at = ?2, updated_at = ?3
WHERE state = 'queued' AND id IN (
    SELECT id FROM jobs
    WHERE state = 'queued' AND run_at <= ?3
    ORDER BY priority DESC, run_at, id
    LIMIT ?4
)
RETURNING *
