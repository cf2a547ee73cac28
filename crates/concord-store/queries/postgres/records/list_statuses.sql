-- Records of a kind in any of several statuses (a JSON array), in key order. Mirrors sqlite.
SELECT * FROM records WHERE kind = $1 AND status IN (SELECT jsonb_array_elements_text($2::jsonb)) ORDER BY key
