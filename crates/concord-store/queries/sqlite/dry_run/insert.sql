INSERT INTO dry_run_writes (at, system, kind, method, path, subject, payload, answer)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
RETURNING id
