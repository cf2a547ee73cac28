-- As enqueue, unless a job of the same kind is already waiting: a periodic job whose earlier slot
-- has not run yet needs no second copy behind it.
INSERT INTO jobs (kind, payload, idempotency_key, priority, state, attempts, max_attempts, run_at, created_at, updated_at, retry)
SELECT $1, $2, $3, $4, 'queued', 0, $5, $6, $7, $7, $8
WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = $1 AND state = 'queued')
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
