-- One statement takes the write lock first, so two claimers can never pick the same row. Highest
-- priority first, except that a job due for longer than the starvation limit (?5) goes ahead, so
-- a queue kept busy by orders still runs its lowest class (price pushes, reconciliation).
UPDATE jobs
SET state = 'running', attempts = attempts + 1, lease_owner = ?1, lease_expires_at = ?2, updated_at = ?3
WHERE state = 'queued' AND id IN (
    SELECT id FROM jobs
    WHERE state = 'queued' AND run_at <= ?3
    ORDER BY run_at <= ?5 DESC, priority DESC, run_at, id
    LIMIT ?4
)
RETURNING *
