SELECT * FROM links WHERE kind = $1 ORDER BY oro_id
