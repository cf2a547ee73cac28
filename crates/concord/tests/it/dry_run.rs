//! `concord run --dry-run` against the emulators as if they were the merchant's real systems:
//! it reads both and does everything but write. The emulators' own request logs prove that no
//! write reached either (the only POST is Oro's OAuth token request, which creates nothing in
//! Oro's data: it is how Concord reads at all), and the store lists the sales, order posts and
//! customer it would have written, with their payloads.

use crate::helpers::{line, order_event, scenario_file, with_backlog, with_timeline};
use crate::live::{self, concord};
use concord_core::Clock;
use concord_store::{DryRunFilter, DryRunWrite, Store};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;

/// The trade shop with two orders waiting, one from a branch of an account Cin7 knows, one from an
/// account it does not (so a customer would be created too), and a later one from that account.
fn orders_of_a_known_and_a_new_account() -> Value {
    let mut scenario = scenario_file("trade-shop.json");
    scenario["oro"]["customers"]
        .as_array_mut()
        .expect("customers")
        .push(json!({"id": 4, "name": "Harbour Supplies", "parent": null}));
    scenario["oro"]["customer_users"]
        .as_array_mut()
        .expect("users")
        .push(json!({"id": 41, "customer": 4, "email": "buyer@harbour.example"}));
    let known = order_event(
        0,
        9001,
        2,
        21,
        false,
        vec![line("TEE-GRN", "each", 2, 1000)],
    );
    let new = order_event(0, 9002, 4, 41, false, vec![line("MUG-BLU", "each", 3, 400)]);
    let scenario: Value =
        serde_json::from_str(&with_backlog(scenario, [known, new])).expect("JSON");
    // A second order of the new account, after the first: it must find the customer the dry
    // run made up, not make up another.
    let again = order_event(
        120,
        9003,
        4,
        41,
        false,
        vec![line("CAP-RED", "each", 1, 600)],
    );
    serde_json::from_str(&with_timeline(scenario, [again])).expect("JSON")
}

/// Waits until the store lists a held-back sale for each order (three minutes at most: a loaded
/// CI machine runs other tests beside this one); on failure shows the run's log.
async fn held_back_sales(
    store_url: &str,
    orders: &[&str],
    log: &std::path::Path,
) -> Vec<DryRunWrite> {
    let store = Store::connect(store_url, Clock::real())
        .await
        .expect("the store");
    for _ in 0..360 {
        let writes = store
            .dry_run_writes(&DryRunFilter::default())
            .await
            .expect("the dry run's writes");
        let covered = orders.iter().all(|o| {
            writes
                .iter()
                .any(|w| w.kind == "sale order" && w.subject.as_deref() == Some(*o))
        });
        if covered {
            return writes;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let log = std::fs::read_to_string(log).unwrap_or_default();
    let tail: String = log.lines().rev().take(40).collect::<Vec<_>>().join("\n");
    panic!("the dry run held back no sale for some of {orders:?}; the run's log ends (newest first):\n{tail}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_writes_nothing_to_either_system_and_lists_what_it_would_have_written() {
    let live = live::start(&orders_of_a_known_and_a_new_account(), 60.0).await;
    let log = std::fs::File::create(live.dir().join("run.log")).expect("a log file");
    let mut run = tokio::process::Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["run", "--dry-run", "--config", &live.config()])
        .env_remove("CONCORD_CONFIG")
        .env_remove("CONCORD_STORE__URL")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("concord run starts");

    let orders = ["order:9001", "order:9002", "order:9003"];
    let writes = held_back_sales(&live.store_url, &orders, &live.dir().join("run.log")).await;
    run.kill().await.expect("the dry run stops");

    // Nothing but reads reached either system.
    let writes_sent: Vec<_> = live
        .requests()
        .into_iter()
        .filter(|(_, method, path)| method != "GET" && path != "/oauth2-token")
        .collect();
    assert!(
        writes_sent.is_empty(),
        "writes reached the systems: {writes_sent:?}"
    );
    assert!(live
        .requests()
        .iter()
        .any(|(s, m, _)| s == "cin7" && m == "GET"));

    // What it would have written: a sale header and its order for each, the new customer.
    let of = |kind: &str, subject: &str| -> Vec<&DryRunWrite> {
        writes
            .iter()
            .filter(|w| w.kind == kind && w.subject.as_deref() == Some(subject))
            .collect()
    };
    for order in ["9001", "9002", "9003"] {
        let subject = format!("order:{order}");
        let sale = of("sale", &subject);
        assert_eq!(sale.len(), 1, "one sale for {order}: {writes:?}");
        let payload = sale[0].payload.as_ref().expect("the sale's payload");
        assert_eq!(payload["ExternalID"], order);
        assert_eq!(
            (sale[0].method.as_str(), sale[0].path.as_str()),
            ("POST", "/sale")
        );
        let posted = of("sale order", &subject);
        assert_eq!(
            posted[0].payload.as_ref().expect("lines")["Lines"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }
    let customers: Vec<&DryRunWrite> = writes.iter().filter(|w| w.kind == "customer").collect();
    assert_eq!(customers.len(), 1, "{writes:?}");
    assert_eq!(
        customers[0].payload.as_ref().expect("body")["Name"],
        "Harbour Supplies"
    );
    // The new customer's sale names the customer the dry run made up.
    let sale = of("sale", "order:9002")[0]
        .payload
        .clone()
        .expect("payload");
    let made_up = customers[0].answer["CustomerList"][0]["ID"].clone();
    assert_eq!(sale["CustomerID"], made_up);

    // The CLI reads the same list.
    let (code, out, err) = concord(&[
        "dryrun",
        "list",
        "--store",
        &live.store_url,
        "--kind",
        "sale",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(code, Some(0), "{err}");
    let listed: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_a_dry_run_store() {
    let live = live::start(&scenario_file("trade-shop.json"), 60.0).await;
    let store = Store::connect(&live.store_url, Clock::real())
        .await
        .expect("store");
    concord::dry_run::claim_store(&store)
        .await
        .expect("a fresh store");
    let (code, _, err) = concord(&["run", "--config", &live.config()]).await;
    assert_eq!(code, Some(1));
    assert!(err.contains("holds a dry run"), "{err}");
}
