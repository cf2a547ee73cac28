//! `concord jobs list|retry|replay`: the durable queue and its dead letters from a terminal.

use super::actions::cli_actor;
use super::format::{ago, csv_row, time, Table};
use super::query::job_state;
use super::ListFormat;
use anyhow::{bail, Context};
use chrono::{DateTime, NaiveDate, Utc};
use concord_store::{Job, JobFilter, JobId, Store};
use serde::Serialize;
use std::io::Write;

/// A job as `--format json` and the JSON API show it.
#[derive(Debug, Clone, Serialize)]
pub struct JobSummary {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: u32,
    pub run_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub idempotency_key: String,
    pub last_error: Option<String>,
    pub payload: serde_json::Value,
}

impl From<&Job> for JobSummary {
    fn from(j: &Job) -> Self {
        JobSummary {
            id: j.id.0,
            kind: j.kind.clone(),
            state: j.state.to_string(),
            attempts: j.attempts,
            run_at: j.run_at,
            updated_at: j.updated_at,
            idempotency_key: j.idempotency_key.clone(),
            last_error: j.last_error.clone(),
            payload: j.payload.clone(),
        }
    }
}

/// `jobs list [--state S] [--kind K]`: the newest 200 jobs matching.
pub async fn list(
    store: &Store,
    state: Option<&str>,
    kind: Option<&str>,
    format: ListFormat,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let filter = JobFilter {
        state: job_state(state)?,
        kind: kind.map(str::to_string),
        limit: 200,
    };
    let jobs = store
        .list_jobs(&filter)
        .await
        .context("Failed to list jobs")?;
    match format {
        ListFormat::Json => {
            let rows: Vec<JobSummary> = jobs.iter().map(JobSummary::from).collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)?;
        }
        ListFormat::Csv => {
            csv_row(
                out,
                &[
                    "id",
                    "kind",
                    "state",
                    "attempts",
                    "run_at",
                    "updated_at",
                    "idempotency_key",
                    "last_error",
                ],
            )?;
            for j in &jobs {
                let (id, n) = (j.id.to_string(), j.attempts.to_string());
                let (run, upd) = (j.run_at.to_rfc3339(), j.updated_at.to_rfc3339());
                let err = j.last_error.as_deref().unwrap_or("");
                csv_row(
                    out,
                    &[
                        &id,
                        &j.kind,
                        j.state.as_str(),
                        &n,
                        &run,
                        &upd,
                        &j.idempotency_key,
                        err,
                    ],
                )?;
            }
        }
        ListFormat::Table => {
            let now = store.clock().now();
            let mut table = Table::new(&[
                "id",
                "kind",
                "state",
                "tries",
                "run at",
                "updated",
                "last error",
            ]);
            for j in &jobs {
                table.row(vec![
                    j.id.to_string(),
                    j.kind.clone(),
                    j.state.to_string(),
                    j.attempts.to_string(),
                    time(j.run_at),
                    ago(now, j.updated_at),
                    j.last_error.clone().unwrap_or_default(),
                ]);
            }
            if table.is_empty() {
                writeln!(out, "No jobs match.")?;
            } else {
                table.write(out)?;
            }
        }
    }
    Ok(())
}

/// `jobs retry ID`: a dead job goes back to the queue, due now. Audited.
pub async fn retry(store: &Store, id: i64, out: &mut dyn Write) -> anyhow::Result<()> {
    let Some(job) = store
        .job(JobId(id))
        .await
        .context("Failed to read the job")?
    else {
        bail!("no job with id {id}");
    };
    if !store
        .replay(JobId(id))
        .await
        .context("Failed to replay the job")?
    {
        bail!(
            "job {id} is {}, not dead: only dead jobs can be retried",
            job.state
        );
    }
    store
        .audit(&cli_actor(), "replayed", &format!("job:{id}"), None)
        .await
        .context("Failed to audit")?;
    writeln!(out, "Job {id} ({}) is back in the queue.", job.kind)?;
    Ok(())
}

/// `jobs replay [--kind K] [--from T] [--to T]`: every dead job matching goes back to the queue.
/// Times are RFC 3339 (`2025-03-01T09:00:00Z`) or a date (`2025-03-01`, midnight UTC; as `--to`
/// the end of that day).
pub async fn replay(
    store: &Store,
    kind: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let from = from.map(|t| parse_time(t, false)).transpose()?;
    let to = to.map(|t| parse_time(t, true)).transpose()?;
    let n = store
        .replay_dead(kind, from, to)
        .await
        .context("Failed to replay dead jobs")?;
    let note = format!(
        "kind={} from={:?} to={:?}: {n} job(s)",
        kind.unwrap_or("any"),
        from,
        to
    );
    store
        .audit(&cli_actor(), "replayed_dead", "jobs", Some(&note))
        .await
        .context("Failed to audit")?;
    writeln!(out, "{n} dead job(s) are back in the queue.")?;
    Ok(())
}

/// RFC 3339, or a plain date (start of day; end of day when `end_of_day`).
pub fn parse_time(s: &str, end_of_day: bool) -> anyhow::Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("`{s}` is neither an RFC 3339 time nor a YYYY-MM-DD date"))?;
    let t = if end_of_day {
        date.and_hms_micro_opt(23, 59, 59, 999_999)
    } else {
        date.and_hms_opt(0, 0, 0)
    };
    t.map(|t| t.and_utc())
        .with_context(|| format!("`{s}` is not a valid date"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_windows_take_dates_or_times() {
        assert_eq!(
            parse_time("2025-03-01", false).unwrap().to_rfc3339(),
            "2025-03-01T00:00:00+00:00"
        );
        assert!(parse_time("2025-03-01", true)
            .unwrap()
            .to_rfc3339()
            .starts_with("2025-03-01T23:59:59"));
        assert_eq!(
            parse_time("2025-03-01T10:00:00+01:00", false)
                .unwrap()
                .to_rfc3339(),
            "2025-03-01T09:00:00+00:00"
        );
        assert!(parse_time("yesterday", false).is_err());
    }
}
