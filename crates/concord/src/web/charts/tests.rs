//! Charts: bar geometry, axes, limits and the empty state; the time-series arithmetic; and the
//! page as served, under the unchanged CSP.

use super::series::*;
use super::svg::*;
use chrono::{DateTime, Duration, Utc};
use concord_core::catalogue::Owner;
use concord_store::ExceptionSpan;

fn chart(values: Vec<Vec<f64>>, style: Style) -> Chart {
    let n = values.first().map_or(0, Vec::len);
    Chart {
        title: "Test".into(),
        unit: "orders".into(),
        labels: (0..n).map(|i| format!("{i:02}:00")).collect(),
        series: values
            .into_iter()
            .enumerate()
            .map(|(k, values)| Series {
                name: format!("s{k}"),
                class: if k == 0 { "s-oro" } else { "s-cin7" },
                values,
            })
            .collect(),
        style,
        limit: None,
        empty_text: "No data yet".into(),
    }
}

fn t(secs: i64) -> DateTime<Utc> {
    "2026-11-02T08:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::seconds(secs)
}

#[test]
fn bar_heights_are_proportional_to_values_and_share_one_baseline() {
    let l = layout(&chart(vec![vec![2.0, 4.0, 0.0]], Style::Grouped));
    assert_eq!(l.y_max, 5.0);
    assert_eq!(l.bars.len(), 2, "a zero draws no bar");
    let (a, b) = (&l.bars[0], &l.bars[1]);
    assert!((b.height - 2.0 * a.height).abs() < 1e-9);
    assert!((a.y + a.height - (b.y + b.height)).abs() < 1e-9);
    assert!(b.x > a.x);
    assert_eq!(a.title, "00:00 · s0: 2 orders");
}

#[test]
fn stacked_bars_sit_on_each_other_and_grouped_ones_side_by_side() {
    let stacked = layout(&chart(vec![vec![3.0], vec![1.0]], Style::Stacked));
    let (low, high) = (&stacked.bars[0], &stacked.bars[1]);
    assert!((high.y + high.height - low.y).abs() < 1e-9, "{stacked:?}");
    assert_eq!(stacked.y_max, 5.0, "the top is the bucket's total, 4");
    let grouped = layout(&chart(vec![vec![3.0], vec![1.0]], Style::Grouped));
    assert!(grouped.bars[1].x >= grouped.bars[0].x + grouped.bars[0].width - 1e-9);
    assert_eq!(grouped.y_max, 5.0);
}

#[test]
fn axes_have_round_ticks_and_at_most_eight_x_labels() {
    let l = layout(&chart(
        vec![(0..24).map(f64::from).collect()],
        Style::Grouped,
    ));
    let ticks: Vec<&str> = l.y_ticks.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(ticks, ["0", "25", "50"]);
    assert_eq!(l.x_labels.len(), 8);
    assert_eq!(l.x_labels[1].1, "03:00");
    for (v, top) in [
        (0.0, 1.0),
        (1.0, 1.0),
        (3.0, 5.0),
        (7.0, 10.0),
        (12.0, 20.0),
        (55.0, 100.0),
    ] {
        assert_eq!(nice_ceiling(v), top, "{v}");
    }
}

#[test]
fn the_limit_line_raises_the_axis_and_is_drawn_with_its_label() {
    let mut c = chart(vec![vec![10.0, 20.0]], Style::Grouped);
    c.limit = Some(Limit {
        value: 55.0,
        label: "budget 55/min".into(),
    });
    let l = layout(&c);
    assert_eq!(l.y_max, 100.0);
    let svg = render(&c);
    assert!(svg.contains(r#"<line class="limit""#), "{svg}");
    assert!(svg.contains("budget 55/min"), "{svg}");
    let bar_top = l.bars[1].y;
    assert!(
        l.limit_y.unwrap() < bar_top,
        "55 is drawn above the bar of 20"
    );
}

#[test]
fn no_data_shows_the_empty_text_and_no_bars() {
    for empty in [
        chart(vec![vec![0.0, 0.0]], Style::Stacked),
        chart(vec![vec![]], Style::Grouped),
    ] {
        let svg = render(&empty);
        assert!(svg.contains(">No data yet</text>"), "{svg}");
        assert!(!svg.contains("<rect"), "{svg}");
    }
}

#[test]
fn text_is_escaped_and_nothing_needs_an_inline_style_or_script() {
    let mut c = chart(vec![vec![1.0]], Style::Grouped);
    c.labels = vec!["<b>&".into()];
    c.series[0].name = "\"quoted\"".into();
    let svg = render(&c);
    assert!(svg.contains("&lt;b&gt;&amp;"), "{svg}");
    assert!(svg.contains("&quot;quoted&quot;"), "{svg}");
    assert!(!svg.contains("<b>") && !svg.contains("style=") && !svg.contains("<script"));
}

#[test]
fn buckets_end_with_the_current_one_and_counts_fall_into_them() {
    let starts = buckets(t(3 * 3600 + 1200), Duration::hours(1), 3);
    assert_eq!(starts, vec![t(3600), t(7200), t(3 * 3600)]);
    let c = counts(
        &starts,
        Duration::hours(1),
        [t(0), t(3600), t(3700), t(3 * 3600 + 5)],
    );
    assert_eq!(c, vec![2.0, 0.0, 1.0]);
}

#[test]
fn latency_percentiles_are_per_bucket_by_nearest_rank() {
    assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.0);
    assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 95.0), 4.0);
    assert_eq!(percentile(&[], 95.0), 0.0);
    let starts = vec![t(0), t(3600)];
    let samples: Vec<_> = (1..=20).map(|i| (t(10), f64::from(i))).collect();
    let (p50, p95) = latency(&starts, Duration::hours(1), &samples);
    assert_eq!((p50, p95), (vec![10.0, 0.0], vec![19.0, 0.0]));
}

#[test]
fn exceptions_count_as_open_from_raised_until_closed() {
    let spans = vec![
        ExceptionSpan {
            owner: Owner::Finance,
            opened: t(0),
            closed: Some(t(100)),
        },
        ExceptionSpan {
            owner: Owner::Finance,
            opened: t(50),
            closed: None,
        },
        ExceptionSpan {
            owner: Owner::Operations,
            opened: t(0),
            closed: None,
        },
    ];
    assert_eq!(
        open_at(&[t(10), t(60), t(100)], &spans, Owner::Finance),
        vec![1.0, 2.0, 1.0]
    );
    assert_eq!(open_at(&[t(10)], &spans, Owner::Ecommerce), vec![0.0]);
}

#[test]
fn stock_age_is_the_longest_gap_between_snapshots_within_each_hour() {
    let starts = vec![t(0), t(3600)];
    // Snapshots at 0, 10 min and 50 min; none in the second hour, which ends (now) at 1 h 30.
    let syncs = [t(0), t(600), t(3000)];
    let ages = stock_age(&starts, Duration::hours(1), &syncs, t(5400));
    assert_eq!(ages, vec![40.0, 40.0]);
    assert_eq!(
        stock_age(&starts, Duration::hours(1), &[], t(5400)),
        vec![0.0, 0.0]
    );
}

#[test]
fn the_latency_chart_draws_the_order_sla_when_one_is_set() {
    let now: DateTime<Utc> = "2026-12-06T12:30:00Z".parse().unwrap();
    let hours = buckets(now, Duration::hours(1), 24);
    let seen = vec![("1001".to_owned(), now - Duration::minutes(10))];
    let sales = vec![("1001".to_owned(), now - Duration::minutes(8))];
    let with_sla = super::data::orders_charts(&hours, &seen, &sales, Some(900.0));
    assert!(
        with_sla[1].svg.contains("SLA 15 min"),
        "{}",
        with_sla[1].svg
    );
    let without = super::data::orders_charts(&hours, &seen, &sales, None);
    assert!(!without[1].svg.contains("SLA"), "{}", without[1].svg);
}

mod page {
    use crate::web::{hash_token, router, Role, WebState};
    use axum::body::{to_bytes, Body};
    use axum::http::{header, Request, StatusCode};
    use concord_core::Clock;
    use concord_store::{NewCall, Store};
    use tower::ServiceExt;

    #[tokio::test]
    async fn charts_are_served_inline_under_the_strict_csp_and_linked_from_the_nav() {
        let store = Store::connect("sqlite::memory:", Clock::real())
            .await
            .unwrap();
        store
            .record_put("order", "1001", "received", &serde_json::json!({}))
            .await
            .unwrap();
        let sale = NewCall {
            system: "cin7".into(),
            method: "POST".into(),
            path: "/sale".into(),
            status: Some(200),
            subject: Some("order:1001".into()),
            ..NewCall::default()
        };
        store.log_call(sale.clone()).await.unwrap();
        let tokens = vec![(hash_token("viewer-token-123"), Role::Viewer)];
        let budget = vec![("cin7".to_owned(), 55)];
        let app = router(WebState::new(store, tokens, WebState::no_health(), budget));
        let req = Request::get("/charts")
            .header(header::AUTHORIZATION, "Bearer viewer-token-123")
            .body(Body::empty())
            .unwrap();
        let resp = app.oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let csp = resp.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("style-src 'self'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let html =
            String::from_utf8(to_bytes(resp.into_body(), 1 << 20).await.unwrap().to_vec()).unwrap();
        assert_eq!(html.matches(r#"<svg class="chart""#).count(), 6, "{html}");
        assert!(html.contains(r#"<a href="/charts" class="on" aria-current="page">Charts</a>"#));
        assert!(html.contains("Placed in Oro: 1 orders"), "{html}");
        assert!(html.contains("Created in Cin7: 1 orders"), "{html}");
        assert!(html.contains("budget 55/min"), "{html}");
        assert!(
            html.contains("No exception was open during the last day"),
            "{html}"
        );
        assert!(
            !html.contains("style="),
            "an inline style the CSP would block"
        );
    }
}
