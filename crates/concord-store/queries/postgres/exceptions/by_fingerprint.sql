SELECT * FROM exceptions WHERE fingerprint = $1 FOR UPDATE
