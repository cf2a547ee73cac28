-- Mirrors sqlite: whether an automatic resolution has anything to close.
SELECT COUNT(*) AS n FROM exceptions WHERE kind = $1 AND subject = $2 AND status IN ('open', 'acknowledged')
