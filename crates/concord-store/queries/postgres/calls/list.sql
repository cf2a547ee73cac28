SELECT * FROM calls
WHERE ($1 IS NULL OR subject = $1) AND ($2 IS NULL OR system = $2)
ORDER BY id DESC
LIMIT $3
