SELECT * FROM links WHERE kind = ?1 AND oro_id = ?2
