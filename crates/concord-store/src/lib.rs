//! Concord's store and durable job queue, on SQLite (embedded default) or PostgreSQL (scale-out).
//!
//! # Layout
//! - [`db`]: the [`Store`] handle, backend chosen by URL, migrations, [`StoreTx`], and the macros
//!   that run a mirrored query file from `queries/{sqlite,postgres}/` on the backend in use.
//! - [`job`] and [`queue`]: the durable queue (enqueue, claim with a lease, heartbeat, complete,
//!   fail with the stored retry policy, reap, dead letters, replay).
//! - [`state`]: Oro ↔ Cin7 id links, flow records and cursors.
//! - [`calls`]: the payload log of external calls, with retention; [`call_buffer`] writes it in
//!   batches.
//! - [`charts`]: the few-column reads behind the dashboard's charts.
//! - [`exceptions`] and [`audit`]: owned exceptions deduplicated by fingerprint; the audit log.
//! - [`budget`]: the rate budget shared by every process on one database.
//! - [`dry_run`]: the writes a dry run recorded instead of sending.
//! - [`leases`]: named leases, a lock across processes that expires with its holder.
//!
//! Every timestamp comes from the [`concord_core::Clock`] given to [`Store::connect`] and is
//! stored as integer microseconds since the Unix epoch on both backends.

pub mod audit;
pub mod budget;
pub mod call_buffer;
pub mod calls;
pub mod charts;
pub mod db;
pub mod dry_run;
pub mod error;
pub mod exceptions;
mod guarded;
pub mod job;
mod known_keys;
pub mod leases;
mod lite;
pub mod queue;
pub mod state;
mod typed;

pub use audit::AuditEntry;
pub use calls::{truncate_body, truncate_body_to, Call, CallFilter, NewCall, MAX_BODY_BYTES};
pub use charts::{CallMark, ExceptionSpan, MinuteCount};
pub use db::{Backend, JobBell, Store, StoreTx};
pub use dry_run::{DryRunFilter, DryRunWrite, NewDryRunWrite};
pub use error::{redact_url, StoreError};
pub use exceptions::{
    ExceptionFilter, ExceptionRecord, ExceptionStatus, NewException, RaiseOutcome,
};
pub use job::{FailOutcome, Job, JobFilter, JobId, JobState, NewJob, QueueCounts};
pub use queue::Coalesce;
pub use state::{Link, Record};
