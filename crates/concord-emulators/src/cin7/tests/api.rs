//! Auth, envelopes, paging, case-insensitivity, products, customers and reference books.

use super::Harness;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_request_without_or_with_wrong_credentials_is_refused_with_403_and_an_array_body() {
    // Arrange
    let h = Harness::default().await;
    // Act
    let bare = h
        .http
        .get(format!("{}/me", h.base))
        .send()
        .await
        .expect("sent");
    let wrong = h
        .http
        .get(format!("{}/me", h.base))
        .header("api-auth-accountid", h.emu.account_id())
        .header("api-auth-applicationkey", "not-the-key")
        .send()
        .await
        .expect("sent");
    // Assert
    assert_eq!(bare.status().as_u16(), 403);
    assert_eq!(wrong.status().as_u16(), 403);
    let body: serde_json::Value = wrong.json().await.expect("json");
    assert_eq!(body[0]["ErrorCode"], 403);
    assert!(body[0]["Exception"].is_string());
    assert_eq!(h.get("/me").await.0, 200);
    let log = h.emu.api_log();
    assert_eq!(
        log.iter().map(|e| e.status).collect::<Vec<_>>(),
        vec![403, 403, 200]
    );
}

#[tokio::test]
async fn lists_use_the_documented_envelopes_and_page_with_a_clamped_limit() {
    let h = Harness::default().await;
    let (_, page2) = h.get("/product?Limit=1&Page=2").await;
    assert_eq!(page2["Total"], 3);
    assert_eq!(page2["Page"], 2);
    assert_eq!(page2["Products"].as_array().map(Vec::len), Some(1));
    assert_eq!(page2["Products"][0]["SKU"], "TEE-BLK-M-C12");
    let (_, clamped) = h.get("/product?Limit=5000").await;
    assert_eq!(clamped["Products"].as_array().map(Vec::len), Some(3));
    let (_, zero) = h.get("/product?Limit=0").await;
    assert_eq!(zero["Products"].as_array().map(Vec::len), Some(1));
    let (_, customers) = h.get("/customer").await;
    assert_eq!(customers["Total"], 2);
    assert_eq!(customers["CustomerList"][1]["IsOnCreditHold"], true);
    let (_, tiers) = h.get("/ref/priceTier").await;
    assert_eq!(tiers["PriceTiers"][0], json!({"Code": 1, "Name": "Trade"}));
    assert_eq!(
        tiers["PriceTiers"][9],
        json!({"Code": 10, "Name": "Tier 10"})
    );
    assert!(tiers.get("Total").is_none());
    assert_eq!(
        h.get("/ref/location").await.1["LocationList"][0]["Name"],
        "Main Warehouse"
    );
    assert_eq!(
        h.get("/ref/tax").await.1["TaxRuleList"][0]["TaxPercent"],
        20.0
    );
    assert_eq!(
        h.get("/ref/paymentterm").await.1["PaymentTermList"][0]["Duration"],
        30
    );
    assert_eq!(h.get("/me").await.1["Currency"], "GBP");
    let (_, availability) = h.get("/ref/productavailability").await;
    let row = &availability["ProductAvailabilityList"][0];
    assert_eq!(
        (
            row["OnHand"].as_f64(),
            row["Allocated"].as_f64(),
            row["Available"].as_f64()
        ),
        (Some(100.0), Some(10.0), Some(90.0))
    );
}

#[tokio::test]
async fn paths_and_query_keys_are_case_insensitive_and_a_pack_shows_its_bom() {
    let h = Harness::default().await;
    let (status, body) = h.get("/PRODUCT?sku=tee-blk-m-c12&includebom=TRUE").await;
    assert_eq!(status, 200);
    let pack = &body["Products"][0];
    assert_eq!(pack["SKU"], "TEE-BLK-M-C12");
    assert_eq!(
        (
            pack["BillOfMaterial"].as_bool(),
            pack["AutoAssembly"].as_bool(),
            pack["AutoDisassembly"].as_bool()
        ),
        (Some(true), Some(true), Some(true))
    );
    assert_eq!(
        pack["BillOfMaterialsProducts"][0]["ProductCode"],
        "TEE-BLK-M"
    );
    assert_eq!(pack["BillOfMaterialsProducts"][0]["Quantity"], 12.0);
    let (_, without) = h.get("/Product?SKU=TEE-BLK-M-C12").await;
    assert_eq!(without["Products"][0]["BillOfMaterialsProducts"], json!([]));
    assert_eq!(h.get("/SaleList?externalid=901").await.1["Total"], 1);
    assert_eq!(
        h.get("/Ref/ProductAvailability?SKU=TEE-BLK-M").await.1["Total"],
        1
    );
    assert_eq!(h.get("/nope").await.0, 404);
    assert_eq!(h.call(Method::PATCH, "/product", None).await.0, 405);
}

#[tokio::test]
async fn a_product_put_sets_prices_by_tier_name_and_by_index_and_needs_an_id() {
    let h = Harness::default().await;
    let (_, list) = h.get("/product?Sku=TEE-BLK-M").await;
    let id = list["Products"][0]["ID"].clone();
    assert_eq!(list["Products"][0]["PriceTiers"]["Trade"], 10.0);
    let (status, put) = h
        .call(
            Method::PUT,
            "/product",
            Some(json!({"ID": id, "PriceTiers": {"Key Account": "8.50"}, "PriceTier1": 9.75})),
        )
        .await;
    assert_eq!(status, 200, "{put}");
    let product = &put["Products"][0];
    assert_eq!(put["Total"], 1);
    assert_eq!(
        (
            product["PriceTier1"].as_f64(),
            product["PriceTiers"]["Key Account"].as_f64()
        ),
        (Some(9.75), Some(8.5))
    );
    assert_eq!(
        h.call(Method::PUT, "/product", Some(json!({"PriceTier1": 1})))
            .await
            .0,
        400
    );
    let (status, err) = h
        .call(
            Method::PUT,
            "/product",
            Some(json!({"ID": id, "PriceTiers": {"Gold": 1}})),
        )
        .await;
    assert_eq!((status, err[0]["ErrorCode"].as_u64()), (400, Some(404)));
    let (status, created) = h.post("/product", json!({"SKU": "MUG", "Name": "Mug", "UOM": "Each", "Category": "General", "Type": "Stock", "PriceTiers": {"Trade": 4.4}})).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["Products"][0]["PriceTier1"], 4.4);
    let state = h.emu.state();
    let mug = state["products"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["SKU"] == "MUG"))
        .cloned();
    assert_eq!(
        mug.map(|m| m["PriceTiers"]["Trade"].clone()),
        Some(json!(4.4))
    );
}

#[tokio::test]
async fn customers_resolve_payment_terms_by_name_and_filter_by_name_prefix() {
    let h = Harness::default().await;
    let (status, created) = h
        .post("/customer", json!({"Name": "Newco Ltd", "Status": "Active", "Currency": "GBP", "PaymentTerm": "Proforma", "AccountReceivable": "610", "RevenueAccount": "200", "TaxRule": "20% VAT", "IsOnCreditHold": "true", "AdditionalAttribute1": "oro:7"}))
        .await;
    assert_eq!(status, 200, "{created}");
    let customer = &created["CustomerList"][0];
    assert_eq!(
        (
            customer["IsOnCreditHold"].as_bool(),
            customer["AdditionalAttribute1"].as_str()
        ),
        (Some(true), Some("oro:7"))
    );
    let (status, err) = h
        .call(
            Method::PUT,
            "/customer",
            Some(json!({"ID": customer["ID"], "PaymentTerm": "90 days"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(err[0]["ErrorCode"], 404);
    assert!(err[0]["Exception"]
        .as_str()
        .is_some_and(|e| e.contains("Active payment term with name")
            && e.contains("Payment Terms reference book")));
    let (status, _) = h
        .call(
            Method::PUT,
            "/customer",
            Some(
                json!({"ID": customer["ID"], "IsOnCreditHold": false, "PriceTier": "Key Account"}),
            ),
        )
        .await;
    assert_eq!(status, 200);
    let (_, found) = h.get("/customer?Name=newco").await;
    assert_eq!(found["Total"], 1);
    assert_eq!(found["CustomerList"][0]["IsOnCreditHold"], false);
    assert_eq!(found["CustomerList"][0]["PriceTier"], "Key Account");
}

#[tokio::test]
async fn a_credit_hold_change_made_before_the_customer_exists_applies_once_it_is_created() {
    let h = Harness::default().await;
    h.emu.customer_update("Newco Ltd", Some(false));
    let (status, created) = h
        .post("/customer", json!({"Name": "Newco Ltd", "Status": "Active", "Currency": "GBP", "PaymentTerm": "Proforma", "TaxRule": "20% VAT", "AccountReceivable": "610", "RevenueAccount": "200", "IsOnCreditHold": true}))
        .await;
    assert_eq!(status, 200, "{created}");
    // The answer shows the customer as created; finance's change lands right after it.
    assert_eq!(created["CustomerList"][0]["IsOnCreditHold"], true);
    let (_, found) = h.get("/customer?Name=newco").await;
    assert_eq!(found["CustomerList"][0]["IsOnCreditHold"], false);
    // Applied once: a later customer of another name is untouched.
    let (_, other) = h
        .post("/customer", json!({"Name": "Othco Ltd", "Status": "Active", "Currency": "GBP", "PaymentTerm": "Proforma", "TaxRule": "20% VAT", "AccountReceivable": "610", "RevenueAccount": "200", "IsOnCreditHold": true}))
        .await;
    assert_eq!(other["CustomerList"][0]["IsOnCreditHold"], true);
}

#[tokio::test]
async fn the_state_endpoint_answers_the_dump_without_auth_and_is_not_logged() {
    let h = Harness::default().await;
    h.get("/me").await;
    let body: serde_json::Value = h
        .http
        .get(format!("{}/_emulator/state", h.base))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let sale = &body["cin7"]["sales"][0];
    assert_eq!(
        (
            sale["ExternalID"].as_str(),
            sale["Status"].as_str(),
            sale["created_at_s"].as_f64()
        ),
        (Some("901"), Some("ORDERED"), Some(0.0))
    );
    assert_eq!(sale["Order"]["Total"], 138.0);
    assert_eq!(
        sale["Order"]["AdditionalCharges"][0]["Description"],
        "Freight"
    );
    assert_eq!(sale["Order"]["Lines"][0]["BackorderQuantity"], 0.0);
    assert_eq!(
        body["cin7"]["products"][0]["PriceTiers"]["Key Account"],
        8.9
    );
    assert_eq!(body["cin7"]["customers"][0]["PaymentTerm"], "30 days");
    assert_eq!(body["api_log"]["cin7"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["api_log"]["cin7"][0]["path"], "/me");
}

#[tokio::test]
async fn the_wholesale_day_scenario_seeds_a_consistent_tenant() {
    let scenario = concord_core::scenario::parse_scenario(include_str!(
        "../../../../../../shared/scenarios/wholesale-day.json"
    ))
    .expect("scenario");
    let emu = crate::cin7::Cin7Emulator::new(
        &scenario,
        concord_core::Clock::scaled(scenario.clock.start, 1.0),
    );
    let state = emu.state();
    let sales = state["sales"].as_array().cloned().unwrap_or_default();
    assert_eq!(sales.len(), scenario.cin7.sales.len());
    assert!(sales
        .iter()
        .all(|s| s["Order"]["Status"] == "AUTHORISED" && s["created_at_s"] == 0.0));
    for row in state["availability"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let (on_hand, allocated, available) = (
            row["OnHand"].as_f64(),
            row["Allocated"].as_f64(),
            row["Available"].as_f64(),
        );
        assert_eq!(
            available,
            on_hand.zip(allocated).map(|(h, a)| h - a),
            "{row}"
        );
    }
    let packs = state["products"]
        .as_array()
        .map(|p| p.iter().filter(|p| p["BillOfMaterial"] == true).count());
    assert_eq!(
        packs,
        Some(
            scenario
                .cin7
                .products
                .iter()
                .filter(|p| p.pack_of.is_some())
                .count()
        )
    );
    assert_eq!(state["products"][0]["PriceTiers"]["Trade"], 9.5);
}
