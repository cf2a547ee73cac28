//! JSON shapes of each record as Cin7 prints them (field names from the reference and fixtures).

use super::state::{Customer, Line, Product, Sale, State, StockRow};
use super::wire::{date_only, money, stamp};
use concord_core::Clock;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

/// Overlays `fields` on `base`: modelled fields win over echoed extras.
fn merged(mut base: Map<String, Value>, fields: Value) -> Value {
    if let Value::Object(map) = fields {
        base.extend(map);
    }
    Value::Object(base)
}

pub(crate) fn product(state: &State, clock: &Clock, p: &Product, include_bom: bool) -> Value {
    let mut base = Map::new();
    for (k, v) in [
        ("Category", json!(p.category)),
        ("Brand", Value::Null),
        ("CostingMethod", json!("FIFO")),
    ] {
        base.insert(k.into(), v);
    }
    for (k, v) in [
        ("DropShipMode", json!("No Drop Ship")),
        ("Barcode", json!("")),
        ("Sellable", json!(true)),
    ] {
        base.insert(k.into(), v);
    }
    base.extend(p.extra.clone());
    let mut fields = json!({
        "ID": p.id, "SKU": p.sku, "Name": p.name, "Type": p.kind, "UOM": p.uom, "Status": p.status,
        "LastModifiedOn": stamp(clock, p.modified_s), "AverageCost": 0,
        "BillOfMaterial": p.bom.is_some(), "AutoAssembly": p.bom.is_some(), "AutoDisassembly": p.bom.is_some(),
        "QuantityToProduce": if p.bom.is_some() { json!(1) } else { json!(0) },
        "AssemblyCostEstimationMethod": if p.bom.is_some() { json!("Average Cost") } else { Value::Null },
        "BOMType": if p.bom.is_some() { "Assembly" } else { "None" },
    });
    let mut named = Map::new();
    for (i, price) in p.tiers.iter().enumerate() {
        fields[format!("PriceTier{}", i + 1)] = money(*price);
        if let Some(name) = state.tier_names.get(i) {
            named.insert(name.clone(), money(*price));
        }
    }
    fields["PriceTiers"] = Value::Object(named);
    let bom = match (include_bom, p.bom) {
        (true, Some((base_id, quantity))) => {
            let base_product = state.product(base_id);
            vec![json!({
                "ComponentProductID": base_id, "ProductCode": base_product.map(|b| b.sku.clone()),
                "Name": base_product.map(|b| b.name.clone()), "Quantity": money(quantity),
                "WastagePercent": 0, "WastageQuantity": 0, "CostPercentage": 100,
            })]
        }
        _ => Vec::new(),
    };
    fields["BillOfMaterialsProducts"] = Value::Array(bom);
    fields["BillOfMaterialsServices"] = json!([]);
    merged(base, fields)
}

pub(crate) fn customer(clock: &Clock, c: &Customer) -> Value {
    let mut base = Map::new();
    for i in 1..=10 {
        base.insert(format!("AdditionalAttribute{i}"), Value::Null);
    }
    for key in [
        "Carrier",
        "SalesRepresentative",
        "Location",
        "Comments",
        "TaxNumber",
        "AttributeSet",
        "Tags",
    ] {
        base.insert(key.into(), Value::Null);
    }
    base.insert("Addresses".into(), json!([]));
    base.insert("Contacts".into(), json!([]));
    base.insert("AccountReceivable".into(), json!("610"));
    base.insert("RevenueAccount".into(), json!("200"));
    base.insert("Discount".into(), json!(0));
    base.extend(c.extra.clone());
    let fields = json!({
        "ID": c.id, "Name": c.name, "Status": c.status, "Currency": c.currency, "PaymentTerm": c.payment_term,
        "PriceTier": c.price_tier, "TaxRule": c.tax_rule, "CreditLimit": money(c.credit_limit),
        "IsOnCreditHold": c.on_credit_hold, "LastModifiedOn": stamp(clock, c.modified_s),
    });
    merged(base, fields)
}

pub(crate) fn availability(state: &State, row: &StockRow) -> Value {
    let p = state.product(row.product_id);
    json!({
        "ID": row.product_id, "SKU": p.map(|p| p.sku.clone()), "Name": p.map(|p| p.name.clone()),
        "Barcode": Value::Null, "Location": row.location, "Bin": Value::Null, "Batch": Value::Null,
        "ExpiryDate": Value::Null, "Category": p.map(|p| p.category.clone()),
        "OnHand": money(row.on_hand), "Allocated": money(row.allocated),
        "Available": money(row.on_hand - row.allocated), "OnOrder": 0, "StockOnHand": 0, "InTransit": 0,
        "NextDeliveryDate": Value::Null,
    })
}

fn line(state: &State, l: &Line) -> Value {
    let p = state.product(l.product_id);
    let mut out = json!({
        "ProductID": l.product_id, "SKU": l.sku, "Name": l.name, "Quantity": money(l.quantity),
        "Price": money(l.price), "Discount": money(l.discount), "Tax": money(l.tax), "AverageCost": 0,
        "TaxRule": l.tax_rule, "Comment": l.comment, "DropShip": false, "Backorder": l.backorder > Decimal::ZERO,
        "BackorderQuantity": money(l.backorder), "Total": money(l.total),
        "ProductLength": 0, "ProductWidth": 0, "ProductHeight": 0, "ProductWeight": 0,
        "WeightUnits": "", "DimensionsUnits": "",
    });
    if p.is_some_and(|p| p.bom.is_some()) {
        out["UOM"] = json!(p.map(|p| p.uom.clone()));
    }
    out
}

/// The order sub-document (`Order` on a sale; the body of `GET/POST /sale/order`).
pub(crate) fn order(state: &State, s: &Sale) -> Value {
    let (before, tax, total) = s.totals();
    let charges: Vec<Value> = s.order.charges.iter().map(|c| json!({
        "Description": c.description, "Price": money(c.price), "Quantity": money(c.quantity),
        "Discount": money(c.discount), "Tax": money(c.tax), "Total": money(c.total), "TaxRule": c.tax_rule,
        "Comment": c.comment,
    })).collect();
    json!({
        "SaleID": s.id, "SaleOrderNumber": order_number(s), "Memo": s.order.memo, "Status": s.order.status,
        "Lines": s.order.lines.iter().map(|l| line(state, l)).collect::<Vec<_>>(),
        "AdditionalCharges": charges, "TotalBeforeTax": money(before), "Tax": money(tax), "Total": money(total),
    })
}

pub(crate) fn order_number(s: &Sale) -> String {
    format!("SO-{:05}", s.number)
}

/// (CombinedPickingStatus, CombinedPackingStatus, CombinedShippingStatus, FulFilmentStatus)
fn fulfilment(s: &Sale) -> [&'static str; 4] {
    s.combined_statuses()
}

/// The full sale (`GET /sale?ID=`, `POST /sale`). `Order` is always an object (status `NOT
/// AVAILABLE` and no lines before an order exists) so a client never meets a null there.
pub(crate) fn sale(state: &State, clock: &Clock, s: &Sale) -> Value {
    let currency = state
        .customer(s.customer_id)
        .map_or(state.base_currency.clone(), |c| c.currency.clone());
    let [pick, pack, ship, fulfil] = fulfilment(s);
    let mut base = Map::new();
    for key in [
        "Contact",
        "Phone",
        "Email",
        "DefaultAccount",
        "ShippingNotes",
        "Note",
        "Carrier",
        "SalesRepresentative",
    ] {
        base.insert(key.into(), json!(""));
    }
    for key in ["BillingAddress", "ShippingAddress", "ShipBy"] {
        base.insert(key.into(), Value::Null);
    }
    base.insert("SaleOrderDate".into(), json!(date_only(clock, s.created_s)));
    base.insert("CurrencyRate".into(), json!(1));
    base.insert("AdditionalAttributes".into(), json!({}));
    base.extend(s.extra.clone());
    let shipments = super::routes::fulfilments(state, clock, s);
    let tracking = s.tracking_numbers().join(", ");
    let fields = json!({
        "ID": s.id, "Customer": s.customer, "CustomerID": s.customer_id, "SkipQuote": s.skip_quote,
        "BaseCurrency": state.base_currency, "CustomerCurrency": currency, "TaxRule": s.tax_rule,
        "TaxCalculation": if s.tax_inclusive { "Inclusive" } else { "Exclusive" }, "Terms": s.terms,
        "PriceTier": s.price_tier, "Location": s.location, "LastModifiedOn": stamp(clock, s.updated_s),
        "CustomerReference": s.customer_reference, "ExternalID": s.external_id, "COGSAmount": 0,
        "Status": s.status(), "CombinedPickingStatus": pick, "CombinedPackingStatus": pack,
        "CombinedShippingStatus": ship, "FulFilmentStatus": fulfil, "CombinedInvoiceStatus": s.combined_invoice_status(),
        "CombinedPaymentStatus": s.combined_payment_status(), "CombinedTrackingNumbers": tracking, "ServiceOnly": false,
        "Type": s.sale_type(), "SourceChannel": "API",
        "Quote": {"Memo": "", "Status": s.quote_status, "Lines": [], "AdditionalCharges": []},
        "Order": order(state, s), "Fulfilments": shipments, "Invoices": super::ledger_views::sale_invoices(s), "CreditNotes": [],
        "Attachments": [], "InventoryMovements": [],
    });
    merged(base, fields)
}

/// A `/saleList` row. `InvoiceAmount` is invoiced minus credited (no credit notes are emulated);
/// `PaidAmount` is paid minus refunded.
pub(crate) fn sale_row(state: &State, clock: &Clock, s: &Sale) -> Value {
    let [pick, pack, ship, fulfil] = fulfilment(s);
    let invoiced: Decimal = s
        .ledger
        .invoices
        .iter()
        .filter(|i| i.status == "AUTHORISED")
        .map(|i| i.totals(s.tax_inclusive).2)
        .sum();
    let currency = state
        .customer(s.customer_id)
        .map_or(state.base_currency.clone(), |c| c.currency.clone());
    json!({
        "SaleID": s.id, "OrderNumber": order_number(s), "Status": s.status(),
        "OrderDate": date_only(clock, s.created_s), "InvoiceDate": null, "Customer": s.customer,
        "CustomerID": s.customer_id, "InvoiceNumber": s.ledger.invoices.first().map(|i| i.number.clone()), "CustomerReference": s.customer_reference,
        "InvoiceAmount": money(invoiced), "PaidAmount": money(s.paid()), "InvoiceDueDate": null, "ShipBy": s.extra.get("ShipBy"),
        "BaseCurrency": state.base_currency, "CustomerCurrency": currency, "CreditNoteNumber": null,
        "Updated": stamp(clock, s.updated_s), "QuoteStatus": s.quote_status, "OrderStatus": s.order.status,
        "CombinedPickingStatus": pick, "CombinedPaymentStatus": s.combined_payment_status(), "CombinedTrackingNumbers": s.tracking_numbers().join(", "),
        "CombinedPackingStatus": pack, "CombinedShippingStatus": ship, "CombinedInvoiceStatus": s.combined_invoice_status(),
        "CreditNoteStatus": "NOT AVAILABLE", "FulFilmentStatus": fulfil, "Type": s.sale_type(),
        "SourceChannel": "API", "ExternalID": s.external_id,
        "OrderLocationID": state.location(&s.location).map(|l| l.id),
    })
}
