//! The rate limit in its three signals, injected errors, lost responses and outages.

use super::{scenario, Harness};
use serde_json::json;
use std::time::Duration;

/// Three calls per minute on a clock 100 times real time (a scenario minute is 0.6 s).
async fn limited(signal: &str) -> Harness {
    Harness::start(
        &scenario(
            json!({"calls_per_minute": 3, "signal": signal}),
            json!({}),
            false,
        ),
        100.0,
    )
    .await
}

async fn fourth_call(h: &Harness) -> reqwest::Response {
    for _ in 0..3 {
        assert_eq!(h.get("/me").await.0, 200);
    }
    let request = h.http.get(format!("{}/me", h.base));
    let request = request
        .header("api-auth-accountid", h.emu.account_id())
        .header("api-auth-applicationkey", h.emu.application_key());
    request.send().await.expect("sent")
}

#[tokio::test]
async fn past_the_limit_the_429_signal_carries_retry_after_and_the_limit_message() {
    let h = limited("429").await;
    let refused = fourth_call(&h).await;
    assert_eq!(refused.status().as_u16(), 429);
    assert_eq!(
        refused
            .headers()
            .get("Retry-After")
            .and_then(|v| v.to_str().ok()),
        Some("60 Seconds")
    );
    let body: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(
        body,
        json!([{"ErrorCode": 429, "Exception": "You have reached 3 calls per 60 seconds API limit."}])
    );
    // The window slides: a scenario minute later calls are accepted again.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(h.get("/me").await.0, 200);
    let statuses: Vec<u16> = h.emu.api_log().iter().map(|e| e.status).collect();
    assert_eq!(statuses, vec![200, 200, 200, 429, 200]);
}

#[tokio::test]
async fn past_the_limit_the_503_signal_answers_503_with_the_limit_message() {
    let h = limited("503").await;
    let refused = fourth_call(&h).await;
    assert_eq!(refused.status().as_u16(), 503);
    let body: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(
        body[0]["Exception"],
        "You have reached 3 calls per 60 seconds API limit."
    );
}

#[tokio::test]
async fn past_the_limit_the_400_signal_answers_400_with_the_limit_message() {
    let h = limited("400").await;
    let refused = fourth_call(&h).await;
    assert_eq!(refused.status().as_u16(), 400);
    let body: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(
        body,
        json!([{"ErrorCode": 400, "Exception": "You have reached 3 calls per 60 seconds API limit."}])
    );
}

#[tokio::test]
async fn a_lost_response_still_commits_the_sale() {
    let faults = json!({"lost_response_rate": 1.0});
    let h = Harness::start(
        &scenario(json!({"calls_per_minute": 1000}), faults, false),
        1.0,
    )
    .await;
    let (status, _) = h.post("/sale", json!({"Customer": "Acme Retail Group", "Location": "Main Warehouse", "SkipQuote": true, "ExternalID": "2001"})).await;
    assert!(status == 502 || status == 504, "{status}");
    let (status, found) = h.get("/saleList?ExternalID=2001").await;
    assert_eq!((status, found["Total"].as_u64()), (200, Some(1)));
    assert!(h.emu.state()["sales"]
        .as_array()
        .is_some_and(|s| s.iter().any(|s| s["ExternalID"] == "2001")));
}

#[tokio::test]
async fn injected_errors_answer_5xx_before_doing_anything_and_are_logged() {
    let faults = json!({"error_rate": 1.0});
    let h = Harness::start(
        &scenario(json!({"calls_per_minute": 1000}), faults, false),
        1.0,
    )
    .await;
    let (status, body) = h.post("/sale", json!({"Customer": "Acme Retail Group", "Location": "Main Warehouse", "ExternalID": "2002"})).await;
    assert!([500, 502, 503].contains(&status), "{status}");
    assert!(body[0]["ErrorCode"].is_u64());
    assert!(h.emu.state()["sales"]
        .as_array()
        .is_some_and(|s| s.len() == 1));
    assert_eq!(h.emu.api_log()[0].status, status);
}

#[tokio::test]
async fn an_outage_answers_503_to_everything_until_it_ends() {
    let h = Harness::start(&super::default_scenario(), 100.0).await;
    h.emu.outage(60.0);
    assert_eq!(h.get("/me").await.0, 503);
    assert_eq!(
        h.http
            .get(format!("{}/me", h.base))
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16(),
        503
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(h.get("/me").await.0, 200);
}
