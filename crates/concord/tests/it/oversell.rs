//! A storefront rush on scarce stock: Oro refuses what Cin7 cannot supply, and nothing is oversold.

use crate::helpers::{cents, check, line, order_event, scenario_file, spawn_app_at, with_timeline};
use serde_json::Value;

/// 25 checkouts, 12 s apart (five scenario minutes), each 3–6 units of one line, sometimes a case
/// of vases: about 110 base units asked of 90 in stock.
fn rush() -> Vec<Value> {
    (0..25u32)
        .map(|n| {
            let (customer, user) = if n % 2 == 0 { (2, 21) } else { (3, 31) };
            let quantity = 3 + n % 4;
            let item = match n % 4 {
                0 => line("LAMP-BRS", "each", quantity, 1800),
                1 => line("VASE-GLS", "each", quantity, 750),
                2 => line("RUG-JUT", "each", quantity, 2500),
                _ => line("VASE-GLS", "case", 1, 4200),
            };
            order_event(
                300 + n * 12,
                6001 + i64::from(n),
                customer,
                user,
                true,
                vec![item],
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_rush_on_scarce_stock_is_refused_at_oro_rather_than_oversold_in_cin7() {
    // Arrange
    let text = with_timeline(scenario_file("scarce-stock.json"), rush());

    // Act: at the scenario's own speed (60x). Concord lowers Oro's levels within a second or two
    // of each checkout; at 600x that second is ten scenario seconds, as long as the gap between
    // two buyers, which no real storefront sees.
    let app = spawn_app_at(&text, 60.0).await;

    // Assert
    let backordered: i64 = app
        .sales()
        .iter()
        .flat_map(|s| s["Order"]["Lines"].as_array().cloned().unwrap_or_default())
        .map(|l| cents(&l["BackorderQuantity"]))
        .sum();
    assert_eq!(backordered, 0, "units backordered in Cin7 (in hundredths)");
    let refused = app.refused_checkouts();
    assert!(
        !refused.is_empty(),
        "demand exceeds stock, so Oro must refuse some checkouts"
    );
    let accepted = 25 - refused.len();
    assert_eq!(
        app.live_sales_by_order().len(),
        accepted,
        "every accepted checkout reaches Cin7"
    );
    let (_, failed, output) = check(&app, &["stock", "orders"]);
    assert_eq!(failed, 0, "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rush_stays_inside_cin7s_rate_limit() {
    // Arrange
    let text = with_timeline(scenario_file("scarce-stock.json"), rush());

    // Act: at 120x, not 600x, so a stall of the shared test machine cannot squeeze a minute of
    // calls into a few wall-clock milliseconds.
    let app = spawn_app_at(&text, 120.0).await;

    // Assert: 20 calls a minute, counted in every sliding 60 s window, refused calls included.
    let mut times: Vec<f64> = app.dump["api_log"]["cin7"]
        .as_array()
        .expect("a Cin7 api log")
        .iter()
        .filter_map(|c| c["at_s"].as_f64())
        .collect();
    times.sort_by(f64::total_cmp);
    let peak = (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| **t < times[i] + 60.0)
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(peak <= 20, "{peak} Cin7 calls inside one 60 s window");
    let limited = app.dump["api_log"]["cin7"]
        .as_array()
        .map(|log| log.iter().filter(|c| c["status"] == 429).count())
        .unwrap_or(0);
    assert_eq!(
        limited, 0,
        "Concord's own budget should keep it clear of Cin7's 429s"
    );
}
