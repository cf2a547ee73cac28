-- Idempotent enqueue: a duplicate key returns no row.
INSERT INTO jobs (kind, payload, idempotency_key, priority, state, attempts, max_attempts, run_at, created_at, updated_at, retry)
VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7, $7, $8)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id
