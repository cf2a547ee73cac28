//! The driver routes over real HTTP: long-polled progress wakes on a crash, and answers at once
//! when the driver's view is already out of date.

use super::Emulators;
use concord_core::scenario::parse_scenario;
use concord_core::Clock;
use serde_json::{json, Value};
use std::time::Duration;

/// A tenant with nothing in it and one simulated crash `crash_at_s` into the timeline.
async fn started(crash_at_s: f64) -> Emulators {
    let text = json!({
        "name": "harness-unit", "clock": {"start": "2026-11-02T08:00:00Z", "speed": 60},
        "settings": {"shipping_charge": "Freight"},
        "cin7": {"base_currency": "GBP", "locations": ["Main Warehouse"], "products": [
            {"sku": "FREIGHT", "name": "Freight", "uom": "Each", "type": "Service"}]},
        "oro": {},
        "timeline": [{"at_s": crash_at_s, "event": "concord_crash"}]
    })
    .to_string();
    let scenario = parse_scenario(&text).expect("the test scenario parses");
    let clock = Clock::scaled(scenario.clock.start, 60.0);
    let any = "127.0.0.1:0".parse().expect("an address");
    let mut emulators = Emulators::start(&scenario, clock, any, any)
        .await
        .expect("the emulators start");
    let (crashes, _received) = tokio::sync::mpsc::unbounded_channel();
    emulators.play_timeline(&scenario, crashes);
    emulators
}

async fn progress(emulators: &Emulators, query: &str) -> Value {
    let url = format!("{}/_emulator/progress{query}", emulators.oro_url);
    let response = reqwest::get(url).await.expect("progress answers");
    response.json().await.expect("progress is JSON")
}

#[tokio::test]
async fn a_long_poll_answers_when_the_timeline_reaches_a_crash() {
    // Half a wall second in: the request is made long before, so an answer that shows the crash
    // is one that waited for it.
    let emulators = started(30.0).await;
    let answer = progress(&emulators, "?wait_ms=5000&crashes=0&timeline_done=false").await;
    assert_eq!(answer["crashes"], json!([30.0]));
    emulators.stop();
}

#[tokio::test]
async fn a_driver_whose_view_is_out_of_date_is_answered_at_once() {
    // The crash is ten wall seconds away and the cap on a wait is five: only an answer that did
    // not wait comes back within four.
    let emulators = started(600.0).await;
    let asked = progress(&emulators, "?wait_ms=5000&crashes=3&timeline_done=false");
    let answer = tokio::time::timeout(Duration::from_secs(4), asked)
        .await
        .expect("answered without waiting");
    assert_eq!(answer["crashes"], json!([]));
    assert_eq!(answer["timeline_done"], json!(false));
    // Without `wait_ms` the answer never waits (the polling the driver does once the timeline ends).
    let plain = tokio::time::timeout(Duration::from_secs(4), progress(&emulators, "")).await;
    assert!(plain.is_ok(), "a plain request is answered at once");
    emulators.stop();
}
