-- The calls in the trailing window (?2, ?3]: a call stamped after the
-- upper bound was taken between the caller's clock reading and this query, in a later window.
SELECT COUNT(*) AS used, MIN(at) AS oldest FROM budget_calls WHERE app = ?1 AND at > ?2 AND at <= ?3
