//! The explanation draft: what goes out (evidence only, the key as a bearer token) and what comes
//! back, against a wiremock OpenAI-compatible endpoint.

use super::*;
use chrono::TimeZone;
use rust_decimal_macros::dec;
use std::collections::BTreeMap;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn cause() -> RootCause {
    RootCause {
        key: "sku:MUG-LTD-XMAS".into(),
        kind: "sku_unknown".into(),
        owner: "ecommerce".into(),
        subjects: (1..=14).map(|i| format!("order:{}", 2000 + i)).collect(),
        orders_held: 14,
        money_held: BTreeMap::from([("GBP".to_owned(), dec!(4210.50))]),
        exceptions: 14,
        first_seen: chrono::Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap(),
        suggested_action: "Create the product MUG-LTD-XMAS in Cin7.".into(),
        // Free text may name a buyer: it must never be sent.
        explanation: "Held since 09:00; first order by Jane Buyer <jane@example.com>, 1 High St."
            .into(),
    }
}

fn explainer(server: &MockServer, key: Option<&str>) -> Explainer {
    Explainer::new(ExplainConfig {
        endpoint: format!("{}/v1/", server.uri()),
        model: "test-model".into(),
        api_key: key.map(|k| SecretString::from(k.to_owned())),
        timeout_s: 5,
    })
    .unwrap()
}

#[tokio::test]
async fn a_draft_is_asked_for_with_the_evidence_only_and_returned() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test-key"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"message": {"role": "assistant", "content": "  The limited mug is not in Cin7.  "}}]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let draft = explainer(&server, Some("sk-test-key"))
        .draft(&cause())
        .await
        .unwrap();

    assert_eq!(draft, "The limited mug is not in Cin7.");
    let sent: Vec<Request> = server.received_requests().await.unwrap();
    let body = String::from_utf8_lossy(&sent[0].body).to_string();
    assert!(
        body.contains("sku:MUG-LTD-XMAS") && body.contains("test-model"),
        "{body}"
    );
    for private in ["Jane", "jane@example.com", "High St"] {
        assert!(!body.contains(private), "{private} was sent: {body}");
    }
    let evidence = evidence(&cause());
    assert_eq!(
        evidence["example_orders"].as_array().unwrap().len(),
        10,
        "examples, not all"
    );
    assert_eq!(evidence["orders_affected"], 14);
}

#[tokio::test]
async fn a_refusal_or_an_empty_answer_is_an_error_not_a_draft() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"choices": []})))
        .mount(&server)
        .await;
    let e = explainer(&server, None);

    assert!(matches!(
        e.draft(&cause()).await,
        Err(ExplainError::Status { status: 401 })
    ));
    assert!(matches!(e.draft(&cause()).await, Err(ExplainError::Empty)));
}
