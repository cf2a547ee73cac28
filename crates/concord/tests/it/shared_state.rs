//! Several Concord processes on one store act on the same facts: what one learns about a Cin7
//! customer (a credit hold placed or lifted) the others use for their very next order, and a
//! process whose copy of Oro's accounts is older than an order reads them again.

use crate::helpers::{
    line, order_event, scenario_file, second_process, spawn_parts, with_backlog, SPEED,
};
use concord::domain::ErpCustomer;
use concord::sync::customers::hold_may_be_lifted;
use concord::sync::orders::handler::sync_order;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credit_hold_learnt_by_one_process_is_used_by_the_other_at_once() {
    // Arrange: both processes have loaded the Cin7 customers; one account is not on hold.
    let parts = spawn_parts(&scenario_file("trade-shop.json").to_string(), SPEED).await;
    let first = parts.ctx.clone();
    let other = second_process(&first);
    let customers = first.cin7_customers().await.expect("first load");
    other.cin7_customers().await.expect("second load");
    let mut account = customers
        .iter()
        .find(|c| !c.on_credit_hold)
        .expect("an account not on hold")
        .clone();

    // Act: finance holds it; only the first process hears (a webhook reaches one process).
    account.on_credit_hold = true;
    first.remember_cin7_customer(account.clone()).await;

    // Assert: the other process sees the hold on its next read, without calling Cin7.
    let seen = other.cin7_customers().await.expect("second read");
    let held = seen.iter().find(|c| c.id == account.id).expect("account");
    assert!(held.on_credit_hold, "the other process still sees no hold");
    assert_eq!(seen.len(), customers.len(), "no customer lost or doubled");
    assert!(!hold_may_be_lifted(&other, Some(&account.id)).await);

    // Act: the hold is lifted, heard this time by the other process, while the first process
    // records a customer it has just created: neither write may undo the other.
    account.on_credit_hold = false;
    other.remember_cin7_customer(account.clone()).await;
    let created = ErpCustomer {
        id: "7D1E5A52-0000-4000-8000-000000000001".into(),
        name: "Harbour Supplies Ltd".into(),
        on_credit_hold: true,
        oro_id: Some("77".into()),
        ..account.clone()
    };
    first.remember_cin7_customer(created.clone()).await;

    // Assert: both processes see both changes.
    for ctx in [&first, &other] {
        let seen = ctx.cin7_customers().await.expect("read");
        let lifted = seen.iter().find(|c| c.id == account.id).expect("account");
        assert!(
            !lifted.on_credit_hold,
            "{}: the lift was lost",
            ctx.instance
        );
        assert!(
            seen.iter().any(|c| c.id == created.id),
            "{}: the created customer was lost",
            ctx.instance
        );
        assert_eq!(seen.len(), customers.len() + 1);
        assert!(hold_may_be_lifted(ctx, Some(&account.id)).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_order_of_an_account_this_process_has_not_seen_is_not_held_as_unmapped() {
    // Arrange: a backlog order from a Kestrel branch, and a process whose Oro customers were read
    // before that branch existed (the branch is dropped from its copy).
    let order = order_event(
        0,
        9300,
        2,
        21,
        false,
        vec![line("TEE-GRN", "each", 1, 1000)],
    );
    let scenario = with_backlog(scenario_file("trade-shop.json"), [order]);
    let parts = spawn_parts(&scenario, SPEED).await;
    parts.ctx.ensure_oro_loaded().await.expect("Oro loaded");
    parts.ctx.cache.write().await.oro_customers.remove(&2);

    // Act
    sync_order(&parts.ctx, 9300).await.expect("sync_order");

    // Assert: Oro's customers were read again, and the order reached Cin7 unheld.
    let store = &parts.ctx.store;
    let open = store
        .exceptions(&Default::default())
        .await
        .expect("exceptions");
    assert!(
        open.iter().all(|e| e.kind.as_str() != "customer_unmapped"),
        "{open:?}"
    );
    let dump = parts.emulators.dump();
    let sales = dump["cin7"]["sales"].as_array().expect("sales");
    assert!(
        sales.iter().any(|s| s["ExternalID"] == "9300"),
        "no sale for the order"
    );
}
