SELECT * FROM links WHERE kind = $1 AND cin7_id = $2 ORDER BY updated_at DESC, oro_id LIMIT 1
