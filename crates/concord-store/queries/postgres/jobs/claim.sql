-- SKIP LOCKED lets concurrent claimers pass over rows another transaction is taking. The pick is
-- a MATERIALIZED CTE: as an `IN (subquery)` the planner may re-run it and exceed the LIMIT.
-- Highest priority first, except that a job due for longer than the starvation limit ($5) goes
-- ahead, so a queue kept busy by orders still runs its lowest class (price pushes, reconciliation).
WITH picked AS MATERIALIZED (
    SELECT id FROM jobs
    WHERE state = 'queued' AND run_at <= $3
    ORDER BY run_at <= $5 DESC, priority DESC, run_at, id
    LIMIT $4
    FOR UPDATE SKIP LOCKED
)
UPDATE jobs
SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_expires_at = $2, updated_at = $3
FROM picked
WHERE jobs.id = picked.id
RETURNING jobs.*
