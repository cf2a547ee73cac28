//! Conformance: a process killed with SIGKILL mid-enqueue and mid-claim loses no committed job
//! and leaves no job leased forever.

use crate::support::TestDb;
use concord_core::Clock;
use concord_store::{JobFilter, JobState};
use rand::Rng;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

const LEASE_MS: u64 = 1500;

pub async fn a_killed_process_loses_no_job_and_leaks_no_lease(db: &TestDb) {
    let mut committed = Vec::new();
    // At least five kills, and more (up to twenty) while a loaded machine has committed little.
    for round in 0..20 {
        if round >= 5 && committed.len() > 50 {
            break;
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_queue_torture"))
            .args([db.url.as_str(), &format!("r{round}"), &LEASE_MS.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let ms = rand::thread_rng().gen_range(300..900);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        assert!(
            child.try_wait().unwrap().is_none(),
            "the torture process died by itself"
        );
        child.kill().unwrap(); // SIGKILL on Unix: no destructor, no rollback, no flush.
        child.wait().unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        // Only whole lines were printed after a commit; a cut final line never reached us.
        let keys: Vec<String> = out
            .split_inclusive('\n')
            .filter_map(|l| l.strip_suffix('\n'))
            .map(String::from)
            .collect();
        committed.extend(keys);
    }
    assert!(
        committed.len() > 50,
        "the torture made progress: {} jobs",
        committed.len()
    );

    // Read the store as it is after the crashes, with a clock past every lease.
    let later = db.store.with_clock(Clock::scaled(
        chrono::Utc::now() + chrono::Duration::hours(1),
        1.0,
    ));
    for key in &committed {
        assert!(
            later.job_by_key(key).await.unwrap().is_some(),
            "committed job {key} lost"
        );
    }
    let all = later
        .list_jobs(&JobFilter {
            limit: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let running = all.iter().filter(|j| j.state == JobState::Running).count();
    let reaped = later.reap_expired().await.unwrap();
    assert_eq!(
        reaped as usize, running,
        "every lease left by a killed process expires and is reaped"
    );
    let left = later
        .list_jobs(&JobFilter {
            state: Some(JobState::Running),
            limit: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(left.is_empty(), "{} jobs still leased", left.len());
    // The reaped jobs run again.
    let again = later
        .claim("after", 1000, Duration::from_secs(30))
        .await
        .unwrap();
    assert!(again.len() as u64 >= reaped);
    eprintln!(
        "kill test: {} committed jobs, {} leases reaped, {} in store",
        committed.len(),
        reaped,
        all.len()
    );
}
