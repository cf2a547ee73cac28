-- As enqueue, unless a job of the same kind is waiting or running: a periodic job (a reconciliation,
-- a price push) must never run twice at once, each holding a worker the orders need.
INSERT INTO jobs (kind, payload, idempotency_key, priority, state, attempts, max_attempts, run_at, created_at, updated_at, retry)
SELECT $1, $2, $3, $4, 'queued', 0, $5, $6, $7, $7, $8
WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE kind = $1 AND state IN ('queued', 'running'))
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
