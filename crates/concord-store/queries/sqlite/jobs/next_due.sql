-- When the earliest queued job falls due: an idle worker sleeps until then (or until woken).
SELECT MIN(run_at) AS run_at FROM jobs WHERE state = 'queued'
