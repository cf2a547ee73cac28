SELECT system, kind, COUNT(*) AS n FROM dry_run_writes GROUP BY system, kind ORDER BY system, kind
