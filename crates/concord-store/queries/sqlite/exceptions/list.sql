SELECT * FROM exceptions
WHERE (?1 IS NULL OR owner = ?1) AND (?2 IS NULL OR kind = ?2)
  AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR subject = ?4)
ORDER BY last_seen DESC, id DESC
LIMIT ?5
