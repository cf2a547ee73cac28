SELECT owner, first_seen, closed_at FROM (
    SELECT e.owner AS owner, e.first_seen AS first_seen,
        CASE WHEN e.status IN ('resolved', 'ignored') THEN COALESCE(
            (SELECT MAX(a.at) FROM audit a
             WHERE a.target = 'exception:' || CAST(e.id AS TEXT) AND a.action IN ('resolved', 'ignored')),
            e.last_seen)
        END AS closed_at
    FROM exceptions e
    WHERE e.first_seen <= $2
) spans
WHERE closed_at IS NULL OR closed_at >= $1
ORDER BY first_seen
