//! Pure time-series arithmetic for the charts: buckets ending now, counts per bucket, latency
//! percentiles, exceptions open at each bucket's end, and how old the oldest stock level was.

use chrono::{DateTime, Duration, DurationRound, Utc};
use concord_core::catalogue::Owner;
use concord_store::ExceptionSpan;

/// `count` consecutive buckets of `width`, the last one holding `now`, oldest first (their starts).
pub fn buckets(now: DateTime<Utc>, width: Duration, count: usize) -> Vec<DateTime<Utc>> {
    let current = now.duration_trunc(width).unwrap_or(now);
    (0..count)
        .rev()
        .map(|back| current - width * back as i32)
        .collect()
}

/// How many of `times` fall in each bucket.
pub fn counts(
    starts: &[DateTime<Utc>],
    width: Duration,
    times: impl IntoIterator<Item = DateTime<Utc>>,
) -> Vec<f64> {
    let mut out = vec![0.0; starts.len()];
    for t in times {
        if let Some(i) = starts.iter().position(|s| *s <= t && t < *s + width) {
            out[i] += 1.0;
        }
    }
    out
}

/// The nearest-rank percentile `p` (0–100) of sorted values; 0 for none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The 50th and 95th percentile of the samples `(when, seconds)` in each bucket.
pub fn latency(
    starts: &[DateTime<Utc>],
    width: Duration,
    samples: &[(DateTime<Utc>, f64)],
) -> (Vec<f64>, Vec<f64>) {
    let mut per: Vec<Vec<f64>> = vec![Vec::new(); starts.len()];
    for (t, secs) in samples {
        if let Some(i) = starts.iter().position(|s| *s <= *t && *t < *s + width) {
            per[i].push(*secs);
        }
    }
    per.iter_mut()
        .map(|v| {
            v.sort_by(f64::total_cmp);
            (percentile(v, 50.0), percentile(v, 95.0))
        })
        .unzip()
}

/// How many of `owner`'s exceptions were open at each moment of `at`.
pub fn open_at(at: &[DateTime<Utc>], spans: &[ExceptionSpan], owner: Owner) -> Vec<f64> {
    at.iter()
        .map(|t| {
            spans
                .iter()
                .filter(|s| s.owner == owner && s.opened <= *t && s.closed.is_none_or(|c| c > *t))
                .count() as f64
        })
        .collect()
}

/// The age in minutes of the oldest stock level during each bucket: every full snapshot
/// (`syncs`, oldest first) refreshes every level, so just before a snapshot, and at the bucket's
/// end (or `now`), the oldest level is as old as the last snapshot. 0 where no snapshot is known.
pub fn stock_age(
    starts: &[DateTime<Utc>],
    width: Duration,
    syncs: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Vec<f64> {
    let minutes = |d: Duration| d.num_seconds() as f64 / 60.0;
    starts
        .iter()
        .map(|start| {
            let end = (*start + width).min(now);
            let last_before = |t: DateTime<Utc>| syncs.iter().rev().find(|s| **s <= t).copied();
            let at_end = last_before(end).map_or(0.0, |s| minutes(end - s));
            syncs
                .windows(2)
                .filter(|w| w[1] >= *start && w[1] < end)
                .map(|w| minutes(w[1] - w[0]))
                .fold(at_end, f64::max)
        })
        .collect()
}
