//! A child process for the kill test: enqueues jobs with sequential keys (printing each key only
//! after its commit) while claiming and completing jobs, until it is killed.
//!
//! Usage: `queue_torture STORE_URL TAG LEASE_MS`

use concord_core::Clock;
use concord_store::{NewJob, Store, StoreError};
use std::io::Write;
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), StoreError> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(tag)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: queue_torture STORE_URL TAG LEASE_MS");
        std::process::exit(2);
    };
    let lease = Duration::from_millis(args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2000));
    let store = Store::connect(url, Clock::real()).await?;

    let claimer = {
        let store = store.clone();
        let worker = format!("torture-{tag}");
        tokio::spawn(async move {
            loop {
                let jobs = store.claim(&worker, 8, lease).await?;
                if jobs.is_empty() {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                for job in jobs {
                    store.complete(job.id, &worker).await?;
                }
            }
            #[allow(unreachable_code)]
            Ok::<(), StoreError>(())
        })
    };

    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let key = format!("{tag}-{i}");
        let job = NewJob::new("torture", key.clone(), serde_json::json!({ "i": i }));
        // Every third job commits in a transaction with a record, as a sync step would.
        if i % 3 == 0 {
            let mut tx = store.begin().await?;
            store.enqueue_in(&mut tx, job).await?;
            store
                .record_put_in(&mut tx, "torture", &key, "enqueued", &serde_json::json!({}))
                .await?;
            tx.commit().await?;
        } else {
            store.enqueue(job).await?;
        }
        // One write per line: a kill can cut the stream only between lines.
        if writeln!(out, "{key}").and_then(|()| out.flush()).is_err() {
            break;
        }
        if claimer.is_finished() {
            break;
        }
    }
    claimer.abort();
    Ok(())
}
