SELECT at, subject
FROM calls
WHERE system = ?1 AND method = ?2 AND path LIKE ?3 AND status BETWEEN 200 AND 299 AND at >= ?4
ORDER BY at, id
