-- Records one call only if fewer than $4 fall inside the window (after $3); run under lock_app.
INSERT INTO budget_calls (app, at)
SELECT $1, $2
WHERE (SELECT COUNT(*) FROM budget_calls WHERE app = $1 AND at > $3) < $4
