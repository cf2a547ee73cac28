//! Queue throughput: enqueue, then claim + complete, then both at once, on each store URL given
//! (a temporary SQLite file when none is). A PostgreSQL URL gets a fresh schema, dropped after.
//!
//! Usage: `cargo run --release -p concord-store --example queue_bench -- [--jobs N] [--workers W] [--batch B] [URL…]`

use concord_core::Clock;
use concord_store::{NewJob, Store, StoreError};
use sqlx::Connection;
use std::time::{Duration, Instant};

const LEASE: Duration = Duration::from_secs(60);

struct Opts {
    jobs: usize,
    workers: usize,
    batch: u32,
    urls: Vec<String>,
}

fn parse_args() -> Opts {
    let mut opts = Opts {
        jobs: 5000,
        workers: 4,
        batch: 32,
        urls: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = || {
            args.next()
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
        };
        match a.as_str() {
            "--jobs" => opts.jobs = num().max(1),
            "--workers" => opts.workers = num().max(1),
            "--batch" => opts.batch = u32::try_from(num().max(1)).unwrap_or(32),
            _ => opts.urls.push(a),
        }
    }
    opts
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = parse_args();
    let dir = tempfile::tempdir()?;
    if opts.urls.is_empty() {
        opts.urls.push(format!(
            "sqlite://{}",
            dir.path().join("bench.db").display()
        ));
    }
    for url in opts.urls.clone() {
        let (url, schema) = if url.starts_with("postgres") {
            with_schema(&url).await?
        } else {
            (url, None)
        };
        let store = Store::connect(&url, Clock::real()).await?;
        println!(
            "{:?} ({} jobs, {} workers, claim batch {}):",
            store.backend(),
            opts.jobs,
            opts.workers,
            opts.batch
        );
        run(&store, &opts).await?;
        store.close().await;
        if let Some((base, schema)) = schema {
            let mut conn = sqlx::PgConnection::connect(&base).await?;
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&mut conn)
                .await?;
        }
    }
    Ok(())
}

async fn with_schema(
    base: &str,
) -> Result<(String, Option<(String, String)>), Box<dyn std::error::Error>> {
    let schema = format!("concord_bench_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(base).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await?;
    let sep = if base.contains('?') { '&' } else { '?' };
    Ok((
        format!("{base}{sep}options=-c%20search_path%3D{schema}"),
        Some((base.to_string(), schema)),
    ))
}

fn rate(n: usize, t: Duration) -> String {
    format!(
        "{:>8.0} jobs/s ({n} in {:.2} s)",
        n as f64 / t.as_secs_f64(),
        t.as_secs_f64()
    )
}

async fn run(store: &Store, o: &Opts) -> Result<(), StoreError> {
    let per = o.jobs / o.workers;
    let n = per * o.workers;

    let t = Instant::now();
    join(o.workers, |w| {
        enqueue_range(store.clone(), format!("a{w}"), per, 1)
    })
    .await?;
    println!("  enqueue, one commit each      {}", rate(n, t.elapsed()));

    let t = Instant::now();
    join(o.workers, |w| {
        drain(store.clone(), format!("w{w}"), o.batch)
    })
    .await?;
    println!("  claim + complete              {}", rate(n, t.elapsed()));

    let t = Instant::now();
    join(o.workers, |w| {
        enqueue_range(store.clone(), format!("b{w}"), per, o.batch as usize)
    })
    .await?;
    println!(
        "  enqueue, {:>3} per transaction {}",
        o.batch,
        rate(n, t.elapsed())
    );
    join(o.workers, |w| {
        drain(store.clone(), format!("w{w}"), o.batch)
    })
    .await?;

    // Producers and consumers at once, as a running service: total jobs through the queue.
    let t = Instant::now();
    let producers = join(o.workers, |w| {
        enqueue_range(store.clone(), format!("c{w}"), per, 1)
    });
    let consumers = async {
        let mut done = 0;
        while done < n {
            let counts = join(o.workers, |w| {
                drain(store.clone(), format!("x{w}"), o.batch)
            })
            .await?;
            let round = counts.iter().sum::<usize>();
            done += round;
            if round == 0 {
                // An idle worker polls, it does not spin (a real one sleeps longer).
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        Ok::<(), StoreError>(())
    };
    let (p, c) = tokio::join!(producers, consumers);
    p?;
    c?;
    println!("  enqueue + claim + complete    {}", rate(n, t.elapsed()));
    Ok(())
}

async fn join<F, Fut>(workers: usize, f: F) -> Result<Vec<usize>, StoreError>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<usize, StoreError>> + Send + 'static,
{
    let handles: Vec<_> = (0..workers).map(|w| tokio::spawn(f(w))).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(
            h.await
                .map_err(|e| StoreError::Corrupt(format!("bench task: {e}")))??,
        );
    }
    Ok(out)
}

async fn enqueue_range(
    store: Store,
    prefix: String,
    count: usize,
    per_tx: usize,
) -> Result<usize, StoreError> {
    let job = |i: usize| {
        NewJob::new(
            "bench",
            format!("{prefix}-{i}"),
            serde_json::json!({ "i": i }),
        )
    };
    if per_tx <= 1 {
        for i in 0..count {
            store.enqueue(job(i)).await?;
        }
        return Ok(count);
    }
    for chunk in (0..count).collect::<Vec<_>>().chunks(per_tx) {
        let mut tx = store.begin().await?;
        for i in chunk {
            store.enqueue_in(&mut tx, job(*i)).await?;
        }
        tx.commit().await?;
    }
    Ok(count)
}

/// Claims and completes until the queue is empty; returns how many this worker did.
async fn drain(store: Store, worker: String, batch: u32) -> Result<usize, StoreError> {
    let mut done = 0;
    loop {
        let jobs = store.claim(&worker, batch, LEASE).await?;
        if jobs.is_empty() {
            return Ok(done);
        }
        for j in jobs {
            store.complete(j.id, &worker).await?;
            done += 1;
        }
    }
}
