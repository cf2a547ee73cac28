SELECT at / 60000000 AS minute, COUNT(*) AS n
FROM calls
WHERE system = ?1 AND at >= ?2
GROUP BY at / 60000000
ORDER BY minute
