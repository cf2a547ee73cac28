SELECT COUNT(*) AS used, MIN(at) AS oldest FROM budget_calls WHERE app = $1 AND at > $2
