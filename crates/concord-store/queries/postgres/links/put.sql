INSERT INTO links (kind, oro_id, cin7_id, data, updated_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (kind, oro_id) DO UPDATE
SET cin7_id = excluded.cin7_id, data = excluded.data, updated_at = excluded.updated_at
