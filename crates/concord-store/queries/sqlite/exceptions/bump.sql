UPDATE exceptions
SET status = ?2, occurrences = occurrences + 1, last_seen = ?3, explanation = ?4,
    suggested_action = ?5, payload_refs = ?6, resolution_note = ?7
WHERE id = ?1
