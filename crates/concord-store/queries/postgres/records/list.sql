SELECT * FROM records WHERE kind = $1 AND ($2 IS NULL OR status = $2) ORDER BY key
