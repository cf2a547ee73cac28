-- As enqueue, unless a job of the same kind is queued, or (when $9 is 'running') running: a job
-- that has not started will read what changed since, so a second copy would only repeat it.
INSERT INTO jobs (kind, payload, idempotency_key, priority, state, attempts, max_attempts, run_at, created_at, updated_at, retry)
SELECT $1, $2, $3, $4, 'queued', 0, $5, $6, $7, $7, $8
WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = $1 AND state IN ('queued', $9))
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
