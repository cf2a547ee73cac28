//! How long one 1,000-record page of each list the engine reads takes the emulators to answer (the
//! request through each emulator's router and middleware, the body collected), on a generated
//! 20,000-SKU scenario (about 110,000 Oro prices, 1,200 orders placed). The emulators are test
//! equipment: a page slower than about 50 ms makes a scale run measure them instead of Concord.
//! Run with `cargo bench -p concord --bench emulator_pages`.

// Bench code, like tests: a failed setup step should stop the run loudly.
#![allow(clippy::expect_used, clippy::panic)]

use axum::body::{Body, Bytes};
use axum::http::Request;
use concord::scenario_gen::{generate, GenerateOptions};
use concord_core::scenario::parse_scenario;
use concord_core::Clock;
use concord_emulators::Emulators;
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::runtime::Runtime;
use tower::ServiceExt;

/// As in the `concord` binary, which runs the emulators in `concord bench`: under glibc's
/// allocator, freeing a page's values in a heap this size is most of a request's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SKUS: usize = 20_000;
const PAGE: &str = "1000";

/// A 20,000-SKU hour of 1,200 orders, with no latency, faults or rate limit to measure instead.
fn scenario() -> concord_core::scenario::Scenario {
    let mut raw = generate(&GenerateOptions {
        orders: 1200,
        skus: SKUS,
        seed: 42,
        hours: Some(1.0),
        ..GenerateOptions::default()
    });
    raw["cin7"]["rate_limit"]["calls_per_minute"] = json!(1_000_000);
    for system in ["cin7", "oro"] {
        raw[system]["faults"]["latency_ms"] = json!([0, 0]);
    }
    let text = serde_json::to_string(&raw).unwrap_or_default();
    match parse_scenario(&text) {
        Ok(scenario) => scenario,
        Err(e) => panic!("the generated scenario does not parse: {e}"),
    }
}

/// The emulators, an Oro bearer token and Cin7's credentials. Requests go straight to each
/// emulator's router (no socket, no client-side parsing), so a figure is the emulator's own time.
struct Bench {
    emulators: Emulators,
    oro_token: String,
    cin7_account: String,
    cin7_key: String,
}

impl Bench {
    async fn start() -> Bench {
        let scenario = scenario();
        // Started past the timeline's end, so playing it places every order and price change now.
        let end = scenario.timeline.last().map_or(0.0, |e| e.at_s) + 1.0;
        let clock = Clock::scaled_from(scenario.clock.start, 1.0, end);
        let any = ([127, 0, 0, 1], 0).into();
        let mut emulators = Emulators::start(&scenario, clock, any, any)
            .await
            .expect("the emulators start");
        let (crashes, _) = tokio::sync::mpsc::unbounded_channel();
        emulators.play_timeline(&scenario, crashes);
        while !emulators.timeline_done() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let conn = emulators.connection();
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let form = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            text(&conn["oro"]["client_id"]),
            text(&conn["oro"]["client_secret"])
        );
        let request = Request::post("/oauth2-token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .expect("a token request");
        let token = send(emulators.oro.router(), request).await;
        let token: Value = serde_json::from_slice(&token).expect("a token body");
        Bench {
            oro_token: text(&token["access_token"]),
            cin7_account: text(&conn["cin7"]["account_id"]),
            cin7_key: text(&conn["cin7"]["application_key"]),
            emulators,
        }
    }

    /// One Oro list page, as the bytes sent.
    async fn oro(&self, path_and_query: &str) -> Bytes {
        let request = Request::get(format!("/admin/api{path_and_query}"))
            .header("authorization", format!("Bearer {}", self.oro_token))
            .header("accept", "application/vnd.api+json")
            .body(Body::empty())
            .expect("an Oro request");
        send(self.emulators.oro.router(), request).await
    }

    /// One Cin7 list page, as the bytes sent.
    async fn cin7(&self, path_and_query: &str) -> Bytes {
        let request = Request::get(format!("/ExternalApi/v2{path_and_query}"))
            .header("api-auth-accountid", &self.cin7_account)
            .header("api-auth-applicationkey", &self.cin7_key)
            .body(Body::empty())
            .expect("a Cin7 request");
        send(self.emulators.cin7.router(), request).await
    }
}

async fn send(router: axum::Router, request: Request<Body>) -> Bytes {
    let answer = router.oneshot(request).await.expect("an answer");
    assert!(answer.status().is_success(), "{}", answer.status());
    axum::body::to_bytes(answer.into_body(), usize::MAX)
        .await
        .expect("a body")
}

/// Records on a page: checked once per list, outside the timing, so a figure is a full page's.
fn records(body: &Bytes, key: &str) -> usize {
    let doc: Value = serde_json::from_slice(body).unwrap_or_default();
    doc[key].as_array().map_or(0, Vec::len)
}

fn pages(c: &mut Criterion) {
    let rt = Runtime::new().expect("a runtime");
    let bench = rt.block_on(Bench::start());
    let mut group = c.benchmark_group("emulator_page_1000");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    let oro: &[(&str, &str)] = &[
        (
            "oro_productprices",
            "/productprices?filter[priceList]=1&page[number]=50",
        ),
        (
            "oro_productprices_of_products",
            "/productprices?filter[priceList]=1&filter[product]=5,50,500,5000",
        ),
        (
            "oro_products",
            "/products?include=unitPrecisions,taxCode&page[number]=10",
        ),
        (
            "oro_products_updated_since",
            "/products?filter[updatedAt][gte]=2026-01-01T00:00:00Z&sort=updatedAt,id",
        ),
        (
            "oro_inventorylevels",
            "/inventorylevels?include=productUnitPrecision&page[number]=10",
        ),
        (
            "oro_orders",
            "/orders?sort=updatedAt,id&include=lineItems,orderSubtotals,discounts",
        ),
        ("oro_customers", "/customers?include=taxCode"),
    ];
    for (name, path) in oro {
        let path = format!("{path}&page[size]={PAGE}");
        let found = records(&rt.block_on(bench.oro(&path)), "data");
        println!("{name}: {found} records a page");
        group.bench_function(*name, |b| b.iter(|| rt.block_on(bench.oro(&path))));
    }
    let cin7: &[(&str, &str, &str)] = &[
        ("cin7_product", "/product?Page=5", "Products"),
        (
            "cin7_productavailability",
            "/ref/productavailability?Page=5",
            "ProductAvailabilityList",
        ),
        ("cin7_customer", "/customer?Page=1", "CustomerList"),
        ("cin7_salelist", "/saleList?Page=1", "SaleList"),
    ];
    for (name, path, key) in cin7 {
        let path = format!("{path}&Limit={PAGE}");
        let found = records(&rt.block_on(bench.cin7(&path)), key);
        println!("{name}: {found} records a page");
        group.bench_function(*name, |b| b.iter(|| rt.block_on(bench.cin7(&path))));
    }
    group.finish();
}

criterion_group!(benches, pages);
criterion_main!(benches);
