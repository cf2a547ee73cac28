-- A dead job's updated_at is when it died.
UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?1, updated_at = ?1
WHERE state = 'dead' AND (?2 IS NULL OR kind = ?2)
  AND (?3 IS NULL OR updated_at >= ?3) AND (?4 IS NULL OR updated_at <= ?4)
