//! `GET /me` and the reference books the scenario seeds: locations, tax rules, payment terms and
//! price tiers (read-only here: the integration never writes them).

use crate::cin7::emulator::Inner;
use crate::cin7::wire::{envelope, guid, money, same, Params};
use serde_json::{json, Value};

pub(super) fn me(inner: &Inner) -> Value {
    let state = inner.lock();
    let tax = state.tax_rules.first();
    json!({
        "Company": "Concord Emulated Tenant", "Currency": state.base_currency, "TimeZone": "GMT Standard Time",
        "DefaultWeightUnits": "kg", "DefaultDimensionsUnits": "cm", "LockDate": null, "OpeningBalanceDate": null,
        "TaxCalculationMethod": "Row Total", "DefaultSaleTaxRuleId": tax.map(|t| t.id),
        "DefaultSaleTaxRuleName": tax.map(|t| t.name.clone()), "MaximumDecimalPlacesInQuantity": "N4",
        "ApplyCustomerDiscountsAfterOtherDiscounts": false, "DiscountRule": "Discount",
        "AutomaticallyApplyDiscounts": false, "RoundingTable": [],
    })
}

/// Keeps rows whose `ID` and `Name` match the optional filters (`Name` exact, case-insensitive).
fn by_id_and_name(rows: Vec<Value>, params: &Params) -> Vec<Value> {
    let id = guid(params.get("ID"));
    let name = params.get("Name");
    rows.into_iter()
        .filter(|r| id.is_none_or(|id| r["ID"] == json!(id)))
        .filter(|r| name.is_none_or(|n| r["Name"].as_str().is_some_and(|x| same(x, n))))
        .collect()
}

pub(super) fn locations(inner: &Inner, params: &Params) -> Value {
    let state = inner.lock();
    let rows = state.locations.iter().enumerate().map(|(i, l)| json!({
        "ID": l.id, "Name": l.name, "IsDefault": i == 0, "IsDeprecated": false, "Bins": [],
        "FixedAssetsLocation": false, "ParentID": null, "ParentName": null, "ReferenceCount": 0,
        "AddressLine1": "", "AddressLine2": "", "AddressCitySuburb": "", "AddressStateProvince": "",
        "AddressZipPostCode": "", "AddressCountry": "", "PickZones": "", "IsShopfloor": false,
        "IsCoMan": false, "IsStaging": false,
    }));
    envelope(
        "LocationList",
        by_id_and_name(rows.collect(), params),
        params,
    )
}

pub(super) fn tax_rules(inner: &Inner, params: &Params) -> Value {
    let state = inner.lock();
    let rows = state.tax_rules.iter().map(|t| {
        json!({
            "ID": t.id, "Name": t.name, "Account": "2200", "IsActive": t.active, "TaxInclusive": false,
            "TaxPercent": money(t.percent), "IsTaxForSale": true, "IsTaxForPurchase": true,
            // Component percent and order are strings in Cin7's own samples.
            "Components": [{"ID": t.id, "Name": t.name, "Percent": format!("{:.10}", t.percent),
                            "AccountCode": "2200", "Compound": "0", "ComponentOrder": "1"}],
        })
    });
    envelope(
        "TaxRuleList",
        by_id_and_name(rows.collect(), params),
        params,
    )
}

pub(super) fn payment_terms(inner: &Inner, params: &Params) -> Value {
    let state = inner.lock();
    let rows = state.payment_terms.iter().enumerate().map(|(i, t)| {
        // "30 days" lasts 30 days; a name without a number (e.g. "Proforma") lasts 0.
        let days: i64 = t.name.split_whitespace().find_map(|w| w.parse().ok()).unwrap_or(0);
        json!({"ID": t.id, "Name": t.name, "Duration": days, "Method": "number of days", "IsActive": true, "IsDefault": i == 0})
    });
    envelope(
        "PaymentTermList",
        by_id_and_name(rows.collect(), params),
        params,
    )
}

/// `{PriceTiers: [{Code, Name}]}`: no `Total`/`Page` on this book.
pub(super) fn price_tiers(inner: &Inner) -> Value {
    let state = inner.lock();
    let tiers: Vec<Value> = state
        .tier_names
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"Code": i + 1, "Name": n}))
        .collect();
    json!({ "PriceTiers": tiers })
}
