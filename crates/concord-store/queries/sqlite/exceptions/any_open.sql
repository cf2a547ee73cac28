-- Whether an automatic resolution has anything to close: asked on the read side first, so the
-- common answer (nothing open) costs no write transaction.
SELECT COUNT(*) AS n FROM exceptions WHERE kind = ?1 AND subject = ?2 AND status IN ('open', 'acknowledged')
