DELETE FROM budget_calls WHERE app = ?1 AND at <= ?2
