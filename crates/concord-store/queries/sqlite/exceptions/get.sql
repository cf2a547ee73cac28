SELECT * FROM exceptions WHERE id = ?1
