//! Exactly one Cin7 sale per Oro order, through lost responses, injected errors and crashes.

use crate::helpers::{
    check, line, order_event, scenario_file, second_process, spawn_app, spawn_parts, with_backlog,
    with_timeline, TestApp, SPEED,
};
use concord::sync::orders::handler::sync_order;
use concord::sync::orders::record::{self, OrderRecord, OrderState};
use concord_store::{JobFilter, JobState};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// `count` small orders from both Kestrel branches, `gap_s` apart from `start_s`.
fn orders(first_id: i64, count: u32, start_s: u32, gap_s: u32) -> Vec<Value> {
    (0..count)
        .map(|n| {
            let (customer, user) = if n % 2 == 0 { (2, 21) } else { (3, 31) };
            let lines = vec![
                line("TEE-GRN", "each", 2 + n % 5, 1000),
                line("MUG-BLU", "case", 1, 2400),
            ];
            order_event(
                start_s + n * gap_s,
                first_id + i64::from(n),
                customer,
                user,
                false,
                lines,
            )
        })
        .collect()
}

fn assert_one_live_sale_per_order(app: &TestApp) {
    let live = app.live_sales_by_order();
    let doubled: Vec<_> = live.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        doubled.is_empty(),
        "Oro orders with two or more live Cin7 sales: {doubled:?}"
    );
    let missing: Vec<i64> = app
        .order_ids()
        .into_iter()
        .filter(|id| !live.contains_key(&id.to_string()))
        .collect();
    assert!(
        missing.is_empty(),
        "Oro orders that never reached Cin7: {missing:?}\n{:?}",
        app.exception_kinds()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_responses_and_server_errors_never_produce_a_second_sale() {
    // Arrange
    let mut scenario = scenario_file("trade-shop.json");
    scenario["name"] = json!("lost-responses");
    scenario["cin7"]["faults"] =
        json!({ "error_rate": 0.1, "lost_response_rate": 0.3, "latency_ms": [5, 30] });
    let text = with_timeline(scenario, orders(3001, 15, 300, 90));

    // Act
    let app = spawn_app(&text).await;

    // Assert
    assert_one_live_sale_per_order(&app);
    assert_eq!(
        app.sales().len(),
        15,
        "a duplicate was created, even if later voided"
    );
    let (_, failed, output) = check(&app, &["orders", "reconcile"]);
    assert_eq!(failed, 0, "{output}");
    assert_eq!(app.summary.orders_in_cin7, 15);
    // Every ambiguous write was resolved by a lookup, never given up on.
    let dead = app
        .store()
        .await
        .list_jobs(&concord_store::JobFilter {
            state: Some(concord_store::JobState::Dead),
            kind: Some("order.sync".into()),
            limit: 0,
        })
        .await
        .expect("jobs");
    assert!(dead.is_empty(), "dead order jobs: {dead:?}");
    let failed_kinds: Vec<_> = app
        .stored_exceptions()
        .await
        .into_iter()
        .filter(|e| e.kind.as_str() == "order_sync_failed")
        .collect();
    assert!(failed_kinds.is_empty(), "{failed_kinds:?}");
    let record = app
        .order_record(3001)
        .await
        .expect("a record for the first order");
    assert_eq!(record["state"], "authorised");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_orders_resumes_without_losing_or_doubling_any() {
    // Arrange: orders every 15 s and Cin7 answering in 4–8 s, so the order placed at 390 s is
    // still being submitted when Concord stops at 397 s.
    let mut scenario = scenario_file("trade-shop.json");
    scenario["name"] = json!("crash-between-orders");
    scenario["cin7"]["faults"] = json!({ "lost_response_rate": 0.1, "latency_ms": [4000, 8000] });
    let crash = json!({ "at_s": 397, "event": "concord_crash" });
    let text = with_timeline(
        scenario,
        orders(4001, 12, 300, 15).into_iter().chain([crash]),
    );

    // Act
    let app = spawn_app(&text).await;

    // Assert
    assert_one_live_sale_per_order(&app);
    assert_eq!(app.sales().len(), 12);
    let (_, failed, output) = check(&app, &["orders", "reconcile", "stock"]);
    assert_eq!(failed, 0, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_crashes_close_together_still_leave_one_sale_per_order() {
    // Arrange: the second crash lands while the engine is restarting from the first.
    let mut scenario = scenario_file("trade-shop.json");
    scenario["name"] = json!("two-crashes");
    scenario["cin7"]["faults"] = json!({ "lost_response_rate": 0.1, "latency_ms": [4000, 8000] });
    let crashes = [
        json!({ "at_s": 420, "event": "concord_crash" }),
        json!({ "at_s": 465, "event": "concord_crash" }),
    ];
    let text = with_timeline(
        scenario,
        orders(5001, 12, 300, 15).into_iter().chain(crashes),
    );

    // Act
    let app = spawn_app(&text).await;

    // Assert
    assert_one_live_sale_per_order(&app);
    assert_eq!(app.sales().len(), 12);
    let (_, failed, output) = check(&app, &["orders", "reconcile", "stock"]);
    assert_eq!(failed, 0, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_engine_stops_renewing_the_leases_of_the_jobs_it_was_running() {
    // Arrange: Oro answers after an hour of scenario time, so the first poll is still in flight.
    let mut scenario = scenario_file("trade-shop.json");
    scenario["oro"]["faults"]["latency_ms"] = json!([3_600_000, 3_600_000]);
    let parts = spawn_parts(&scenario.to_string(), SPEED).await;
    concord::engine::schedule_now(&parts.ctx, "orders.poll", 9).await;
    let engine = concord::engine::start(parts.ctx.clone(), 1);
    let store = &parts.ctx.store;
    let running = JobFilter {
        state: Some(JobState::Running),
        ..JobFilter::default()
    };
    for _ in 0..100 {
        if !store
            .list_jobs(&running)
            .await
            .expect("list_jobs")
            .is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !store
            .list_jobs(&running)
            .await
            .expect("list_jobs")
            .is_empty(),
        "no job started"
    );

    // Act: stop as a crash would, then let three leases' worth of scenario time pass.
    engine.stop().await;
    parts
        .clock
        .sleep(concord::engine::lease(&parts.clock) * 3)
        .await;

    // Assert: the jobs it held are free to be taken again.
    let reaped = store.reap_expired().await.expect("reap_expired");
    assert!(
        reaped > 0,
        "every in-flight lease is still being renewed after the engine stopped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_resumed_by_a_freshly_started_process_reaches_cin7_with_all_its_lines() {
    // Arrange: a previous process saved the intent (`submitting`) for order 9101 and then died, so
    // this process starts with empty caches and must finish the submission.
    let order = order_event(
        0,
        9101,
        2,
        21,
        false,
        vec![
            line("TEE-GRN", "each", 3, 1000),
            line("CAP-RED", "each", 2, 600),
        ],
    );
    let scenario = with_backlog(scenario_file("trade-shop.json"), [order]);
    let parts = spawn_parts(&scenario, SPEED).await;
    let customers = parts.emulators.dump()["cin7"]["customers"].clone();
    let kestrel = customers
        .as_array()
        .and_then(|c| c.iter().find(|c| c["Name"] == "Kestrel Retail Group"))
        .and_then(|c| c["ID"].as_str())
        .expect("Kestrel in Cin7")
        .to_owned();
    let mut rec = OrderRecord::new(9101, 0.0);
    rec.state = OrderState::Submitting;
    rec.customer_id = Some(kestrel);
    rec.base_units = vec![("TEE-GRN".into(), 3.into()), ("CAP-RED".into(), 2.into())];
    record::save(&parts.ctx.store, &rec)
        .await
        .expect("save the record");

    // Act
    let result = sync_order(&parts.ctx, 9101).await;

    // Assert
    let dump = parts.emulators.dump();
    let sales: Vec<&Value> = dump["cin7"]["sales"]
        .as_array()
        .expect("sales")
        .iter()
        .collect();
    assert_eq!(
        sales.len(),
        1,
        "one sale for the resumed order ({result:?})"
    );
    let lines = sales[0]["Order"]["Lines"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0);
    assert_eq!(
        lines, 2,
        "the sale must carry both Oro lines: {}",
        sales[0]["Order"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_syncing_the_same_orders_at_once_create_one_sale_each() {
    // Arrange: six backlog orders, and a second "process": the same store and systems, but its
    // own in-process order locks and its own name as a lease holder.
    let orders = (0..6).map(|n| {
        order_event(
            0,
            9200 + n,
            2,
            21,
            false,
            vec![line("TEE-GRN", "each", 1, 1000)],
        )
    });
    let scenario = with_backlog(scenario_file("trade-shop.json"), orders);
    let parts = spawn_parts(&scenario, SPEED).await;
    let other = second_process(&parts.ctx);

    // Act: both processes sync every order at the same moment.
    let mut runs = Vec::new();
    for n in 0..6 {
        for ctx in [parts.ctx.clone(), other.clone()] {
            runs.push(tokio::spawn(
                async move { sync_order(&ctx, 9200 + n).await },
            ));
        }
    }
    let mut busy = 0;
    for run in runs {
        match run.await.expect("join") {
            Err(concord::sync::context::FlowError::Busy(_)) => busy += 1,
            other => other.expect("sync_order"),
        }
    }

    // Assert: exactly one sale per order, whichever process won each.
    let dump = parts.emulators.dump();
    let mut per_order: BTreeMap<String, usize> = BTreeMap::new();
    for sale in dump["cin7"]["sales"].as_array().expect("sales") {
        *per_order
            .entry(sale["ExternalID"].as_str().unwrap_or("").to_owned())
            .or_default() += 1;
    }
    assert_eq!(
        per_order.len(),
        6,
        "{per_order:?} ({busy} runs found the order busy)"
    );
    assert!(per_order.values().all(|n| *n == 1), "{per_order:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_work_never_parks_a_worker_behind_a_running_stock_sync() {
    // Arrange: a stock sync is writing levels (it holds the one-writer lock).
    let parts = spawn_parts(&scenario_file("trade-shop.json").to_string(), SPEED).await;
    let _sync_running = parts.ctx.stock_lock.lock().await;

    // Act
    let lowering = concord::sync::inventory::lower::lower_for_order(&parts.ctx, 1).await;
    let second_sync = concord::sync::inventory::sync::sync(&parts.ctx).await;

    // Assert: both come back at once, to be retried, instead of waiting on the lock.
    use concord::sync::context::FlowError;
    assert!(matches!(lowering, Err(FlowError::Busy(_))), "{lowering:?}");
    assert!(
        matches!(second_sync, Err(FlowError::Busy(_))),
        "{second_sync:?}"
    );
}
