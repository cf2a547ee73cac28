INSERT INTO audit (at, actor, action, target, note) VALUES ($1, $2, $3, $4, $5)
