UPDATE exceptions SET status = 'resolved', resolution_note = $3
WHERE kind = $1 AND subject = $2 AND status IN ('open', 'acknowledged')
RETURNING id
