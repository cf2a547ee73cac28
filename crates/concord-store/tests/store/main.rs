//! The store's one integration test binary: the conformance suite run on SQLite (always) and on
//! PostgreSQL (when `CONCORD_TEST_POSTGRES_URL` is set), connection errors, and the kill test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit;
mod budget_props;
mod cancel;
mod charts;
mod connect;
mod dry_run;
mod guarded;
mod jobs;
mod kill;
mod leases;
mod other;
mod records;
mod support;
mod wake;

/// Generates `sqlite::<name>` and `postgres::<name>` tests calling `crate::<module>::<name>(&db)`.
macro_rules! conformance {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = crate::support::TestDb::sqlite().await;
                    crate::$module::$name(&db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = crate::support::TestDb::postgres().await else {
                        eprintln!("skipped: CONCORD_TEST_POSTGRES_URL is not set");
                        return;
                    };
                    crate::$module::$name(&db).await;
                }
            )*
        }
    };
}

conformance!(
    jobs::enqueue_is_idempotent,
    jobs::enqueue_in_a_rolled_back_transaction_leaves_nothing,
    jobs::concurrent_claimers_never_share_a_job,
    jobs::claims_take_priority_then_oldest,
    jobs::a_job_waiting_past_the_starvation_limit_goes_first,
    jobs::a_kind_already_queued_is_not_queued_again,
    jobs::expired_leases_are_reaped,
    jobs::heartbeat_extends_the_lease,
    jobs::retries_follow_the_schedule_then_dead_letter,
    jobs::retry_after_and_reschedule_do_not_use_attempts,
    jobs::replay_one_and_replay_dead_by_kind,
    jobs::a_later_success_retires_the_dead_jobs_of_its_kind,
    jobs::counts_and_listing,
    other::links_records_and_cursors_round_trip,
    other::a_deleted_record_is_gone_and_others_stay,
    records::records_of_a_status_are_read_by_index_in_key_order,
    records::records_updated_since_a_moment_are_the_changes_oldest_first,
    records::records_in_several_statuses_are_read_at_once_in_key_order,
    records::many_records_are_written_at_once_and_replace_what_was_there,
    records::every_write_of_a_record_moves_its_version,
    guarded::a_create_never_replaces_a_record_already_there,
    records::a_record_is_read_straight_into_a_type,
    guarded::a_status_moves_only_from_the_status_expected,
    other::payload_log_filters_truncates_and_purges,
    other::the_payload_log_writes_behind_in_batches_and_loses_nothing,
    other::payload_retention_purges_in_small_batches,
    other::exceptions_dedup_reopen_and_audit,
    audit::audit_pages_run_newest_first_without_repeats_or_gaps,
    other::budget_never_exceeds_its_limit,
    other::budget_is_shared_by_separate_stores,
    dry_run::dry_run_writes_round_trip_whole_and_in_order,
    leases::a_lease_has_one_holder_until_it_expires,
    leases::a_released_lease_is_free_and_only_its_holder_releases_it,
    leases::concurrent_takers_get_one_lease,
    cancel::a_transaction_cancelled_anywhere_never_wedges_the_store,
    kill::a_killed_process_loses_no_job_and_leaks_no_lease,
    charts::calls_are_counted_per_minute_and_marked_by_kind,
    charts::records_keep_when_they_were_first_stored,
    charts::exception_spans_show_when_each_was_open,
    wake::a_new_job_rings_the_bell_and_a_duplicate_does_not,
    wake::a_job_enqueued_in_a_transaction_rings_only_when_it_commits,
    wake::next_due_is_the_earliest_queued_job,
    wake::a_job_queued_for_later_tells_the_timekeeper_when_not_the_workers,
);
