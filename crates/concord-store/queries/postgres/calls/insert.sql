INSERT INTO calls (at, system, method, path, status, duration_ms, request, response, subject, error)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
RETURNING id
