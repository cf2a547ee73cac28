SELECT * FROM exceptions WHERE fingerprint = ?1
