UPDATE exceptions SET status = ?2, resolution_note = COALESCE(?3, resolution_note)
WHERE id = ?1
