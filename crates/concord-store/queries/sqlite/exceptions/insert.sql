-- A known fingerprint returns no row; the caller then bumps the existing exception.
INSERT INTO exceptions (kind, owner, subject, fingerprint, status, occurrences, first_seen, last_seen,
                        explanation, suggested_action, payload_refs, resolution_note)
VALUES (?1, ?2, ?3, ?4, 'open', 1, ?5, ?5, ?6, ?7, ?8, NULL)
ON CONFLICT (fingerprint) DO NOTHING
RETURNING id
