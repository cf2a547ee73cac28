-- The jobs in one state (of one kind when ?2 is set), newest first. Through the state index: the
-- monitors ask several times a minute for the few queued jobs, and the form with an optional
-- state (list.sql) reads every job ever run to find them.
SELECT * FROM jobs
WHERE state = ?1 AND (?2 IS NULL OR kind = ?2)
ORDER BY id DESC
LIMIT ?3
