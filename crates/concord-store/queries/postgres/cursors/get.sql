SELECT value FROM cursors WHERE name = $1
