-- Dead jobs of a kind that a later run has done again: kept, marked done, their error noted.
UPDATE jobs SET state = 'done', last_error = 'superseded by a later run; it had failed with: ' || COALESCE(last_error, ''), updated_at = $1
WHERE state = 'dead' AND kind = $2
