-- Key and version of the records of a kind in any of several statuses (a JSON array). Mirrors sqlite.
SELECT key, version FROM records WHERE kind = $1 AND status IN (SELECT jsonb_array_elements_text($2::jsonb))
