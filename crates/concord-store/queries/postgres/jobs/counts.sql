SELECT
    COUNT(*) FILTER (WHERE state = 'queued' AND run_at <= $1) AS queued,
    COUNT(*) FILTER (WHERE state = 'queued' AND run_at > $1) AS scheduled,
    COUNT(*) FILTER (WHERE state = 'running') AS running,
    COUNT(*) FILTER (WHERE state = 'dead') AS dead,
    COUNT(*) FILTER (WHERE state = 'done') AS done
FROM jobs
