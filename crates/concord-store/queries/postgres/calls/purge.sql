DELETE FROM calls WHERE at < $1
