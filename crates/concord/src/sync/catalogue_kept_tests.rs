//! The kept catalogue: one record a product, written whole or as changes, and refused when it
//! disagrees with its summary.

use super::PRODUCT;
use crate::config::Rules;
use crate::sync::catalogue::Catalogue;
use crate::sync::catalogue_refresh::tests::product;
use crate::sync::context::Context;
use concord_core::scenario::PriceTierMapping;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::BTreeSet;
use wiremock::MockServer;

fn rules(tiers: &[&str]) -> Rules {
    Rules {
        price_tiers: tiers
            .iter()
            .enumerate()
            .map(|(n, tier)| PriceTierMapping {
                price_list: n as i64 + 1,
                tier: (*tier).to_owned(),
            })
            .collect(),
        ..Rules::default()
    }
}

async fn context(server: &MockServer, dir: &tempfile::TempDir, tiers: &[&str]) -> Context {
    crate::sync::test_context::against(server, dir, rules(tiers)).await
}

async fn kept_skus(ctx: &Context) -> Option<Vec<(String, Option<Decimal>)>> {
    let (_, products) = ctx.kept_catalogue(3600.0).await.unwrap()?;
    Some(
        products
            .into_iter()
            .map(|p| (p.sku.clone(), p.price_tiers.get("Trade").copied()))
            .collect(),
    )
}

fn moved(skus: &[&str]) -> BTreeSet<String> {
    skus.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn a_whole_read_and_later_changes_come_back_as_one_catalogue() {
    let (server, dir) = (MockServer::start().await, tempfile::tempdir().unwrap());
    let ctx = context(&server, &dir, &["Trade"]).await;
    assert_eq!(kept_skus(&ctx).await, None, "nothing kept yet");

    let whole = [("A", dec!(1)), ("B", dec!(2)), ("C", dec!(3))].map(|(s, p)| product(s, p));
    ctx.keep_whole_catalogue(&Catalogue::new(whole.to_vec()))
        .await
        .unwrap();
    assert_eq!(kept_skus(&ctx).await.unwrap().len(), 3);

    // A refresh changed A and found C deprecated: only those two records are touched.
    let catalogue = Catalogue::new(vec![product("A", dec!(9)), product("B", dec!(2))]);
    ctx.keep_catalogue_changes(&catalogue, &moved(&["A", "C"]))
        .await
        .unwrap();
    assert_eq!(
        kept_skus(&ctx).await.unwrap(),
        [
            ("A".to_owned(), Some(dec!(9))),
            ("B".to_owned(), Some(dec!(2)))
        ]
    );

    // A whole read no longer listing A removes it.
    ctx.keep_whole_catalogue(&Catalogue::new(vec![product("B", dec!(2))]))
        .await
        .unwrap();
    assert_eq!(
        kept_skus(&ctx).await.unwrap(),
        [("B".to_owned(), Some(dec!(2)))]
    );
}

#[tokio::test]
async fn a_kept_set_that_disagrees_with_its_summary_is_not_used() {
    let (server, dir) = (MockServer::start().await, tempfile::tempdir().unwrap());
    let ctx = context(&server, &dir, &["Trade"]).await;
    let whole = Catalogue::new(vec![product("A", dec!(1)), product("B", dec!(2))]);
    ctx.keep_whole_catalogue(&whole).await.unwrap();
    assert!(
        ctx.kept_catalogue(-1.0).await.unwrap().is_none(),
        "older than allowed"
    );

    let other_mapping = context(&server, &dir, &["Trade", "Key Account"]).await;
    assert_eq!(
        kept_skus(&other_mapping).await,
        None,
        "kept with other tiers than the rules now compare"
    );

    ctx.store.record_delete(PRODUCT, "B").await.unwrap();
    assert_eq!(kept_skus(&ctx).await, None, "one product missing");

    ctx.keep_whole_catalogue(&whole).await.unwrap();
    assert!(kept_skus(&ctx).await.is_some(), "whole again");
    ctx.store
        .record_put(PRODUCT, "B", "ok", &serde_json::json!({"sku": "B"}))
        .await
        .unwrap();
    assert_eq!(kept_skus(&ctx).await, None, "one product unreadable");
}

#[tokio::test]
async fn the_earlier_one_document_copy_is_removed_on_the_next_keep() {
    let (server, dir) = (MockServer::start().await, tempfile::tempdir().unwrap());
    let ctx = context(&server, &dir, &["Trade"]).await;
    ctx.store
        .record_put(
            "cache",
            "cin7_products",
            "ok",
            &serde_json::json!({"at_s": 0}),
        )
        .await
        .unwrap();
    ctx.keep_whole_catalogue(&Catalogue::new(vec![product("A", dec!(1))]))
        .await
        .unwrap();
    assert!(ctx
        .store
        .record_get("cache", "cin7_products")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_whole_read_listing_a_sku_twice_is_kept_once_and_still_used() {
    let (server, dir) = (MockServer::start().await, tempfile::tempdir().unwrap());
    let ctx = context(&server, &dir, &["Trade"]).await;
    let listed = vec![product("A", dec!(1)), product("A", dec!(2))];
    ctx.keep_whole_catalogue(&Catalogue::new(listed))
        .await
        .unwrap();
    assert_eq!(
        kept_skus(&ctx).await,
        Some(vec![("A".to_owned(), Some(dec!(2)))]),
        "the summary counts what was kept, not what was listed"
    );
}
