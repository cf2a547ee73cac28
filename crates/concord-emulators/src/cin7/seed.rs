//! Builds the tenant from the scenario's `cin7` half: reference books, products (packs as their own
//! auto-assembly products), availability, customers and the sales that already exist at t=0.

use super::sale_ops;
use super::state::{Charge, Customer, Line, Named, Product, Sale, SaleOrder, State, TaxRuleRec};
use concord_core::scenario::{Cin7Product, Scenario, SeedSale};
use rust_decimal::Decimal;
use serde_json::Map;
use uuid::Uuid;

pub(crate) fn build(scenario: &Scenario) -> State {
    let seed = &scenario.cin7;
    let named = |name: &String| Named {
        id: Uuid::new_v4(),
        name: name.clone(),
    };
    let mut state = State {
        base_currency: seed.base_currency.clone(),
        locations: seed.locations.iter().map(named).collect(),
        tax_rules: seed
            .tax_rules
            .iter()
            .map(|t| TaxRuleRec {
                id: Uuid::new_v4(),
                name: t.name.clone(),
                percent: t.percent,
                active: t.active,
            })
            .collect(),
        payment_terms: seed.payment_terms.iter().map(named).collect(),
        tier_names: (1..=10)
            .map(|i| {
                seed.price_tiers
                    .get(i - 1)
                    .cloned()
                    .unwrap_or_else(|| format!("Tier {i}"))
            })
            .collect(),
        webhooks_enabled: seed.webhooks,
        ..State::default()
    };
    for p in &seed.products {
        let product = product(&state, p);
        state.add_product(product);
    }
    // Pack products name their base by SKU; resolve once every product has an id.
    for (i, p) in seed.products.iter().enumerate() {
        if let Some(pack) = &p.pack_of {
            let base = state.product_by_sku(&pack.sku).map(|b| b.id);
            state.products[i].bom = base.map(|id| (id, pack.quantity));
        }
    }
    for a in &seed.availability {
        if let Some(id) = state.product_by_sku(&a.sku).map(|p| p.id) {
            let row = state.row_or_new(id, &a.location);
            row.on_hand += a.on_hand;
            row.allocated += a.allocated;
        }
    }
    for c in &seed.customers {
        let customer = Customer {
            id: Uuid::new_v4(),
            name: c.name.clone(),
            status: "Active".into(),
            currency: c.currency.clone(),
            payment_term: c.payment_term.clone(),
            price_tier: c
                .price_tier
                .clone()
                .unwrap_or_else(|| state.tier_names[0].clone()),
            tax_rule: c
                .tax_rule
                .clone()
                .or_else(|| state.tax_rules.first().map(|t| t.name.clone()))
                .unwrap_or_default(),
            credit_limit: c.credit_limit.unwrap_or_default(),
            on_credit_hold: c.on_credit_hold,
            modified_s: 0.0,
            extra: Map::new(),
        };
        state.customers.push(customer);
    }
    let shipping = scenario
        .settings
        .shipping_charge
        .clone()
        .unwrap_or_else(|| "Freight".to_owned());
    for s in &seed.sales {
        seed_sale(&mut state, s, &shipping);
    }
    state
}

pub(crate) fn product(state: &State, p: &Cin7Product) -> Product {
    let mut tiers = [Decimal::ZERO; 10];
    for (name, price) in &p.price_tiers {
        if let Some(i) = state.tier_index(name) {
            tiers[i] = *price;
        }
    }
    Product {
        id: Uuid::new_v4(),
        sku: p.sku.clone(),
        name: p.name.clone(),
        uom: p.uom.clone(),
        kind: p.kind.clone().unwrap_or_else(|| "Stock".to_owned()),
        status: "Active".into(),
        category: "General".into(),
        tiers,
        bom: None,
        modified_s: 0.0,
        extra: Map::new(),
    }
}

/// A sale that exists at t=0: at the default (first) location, its shipping as one additional
/// charge, its status as given (`AUTHORISED` allocates like any other authorisation; `DRAFT` is an
/// unauthorised order; `VOIDED` and `SHIPPED` are applied after authorising).
fn seed_sale(state: &mut State, s: &SeedSale, shipping: &str) {
    let customer = state.customer_by_name(&s.customer).cloned();
    let tax_rule = customer
        .as_ref()
        .map(|c| c.tax_rule.clone())
        .unwrap_or_default();
    let lines = s.lines.iter().map(|l| {
        let product = state.product_by_sku(&l.sku);
        Line {
            product_id: product.map_or_else(Uuid::nil, |p| p.id),
            sku: l.sku.clone(),
            name: product.map_or_else(|| l.sku.clone(), |p| p.name.clone()),
            quantity: l.quantity,
            price: l.price,
            discount: Decimal::ZERO,
            tax: l.tax,
            total: super::wire::cents(l.quantity * l.price),
            tax_rule: tax_rule.clone(),
            comment: String::new(),
            backorder: Decimal::ZERO,
            allocated_base: Decimal::ZERO,
            alloc_product: Uuid::nil(),
        }
    });
    let charges = s
        .shipping
        .iter()
        .filter(|sh| sh.amount > Decimal::ZERO || sh.tax > Decimal::ZERO)
        .map(|sh| Charge {
            description: shipping.to_owned(),
            quantity: Decimal::ONE,
            price: sh.amount,
            discount: Decimal::ZERO,
            tax: sh.tax,
            total: sh.amount,
            tax_rule: tax_rule.clone(),
            comment: String::new(),
        });
    let order = SaleOrder {
        status: "DRAFT".into(),
        memo: String::new(),
        lines: lines.collect(),
        charges: charges.collect(),
    };
    let number = state.take_order_number();
    let sale = Sale {
        id: Uuid::new_v4(),
        number,
        customer_id: customer.as_ref().map_or_else(Uuid::new_v4, |c| c.id),
        customer: s.customer.clone(),
        location: state
            .locations
            .first()
            .map(|l| l.name.clone())
            .unwrap_or_default(),
        skip_quote: true,
        tax_inclusive: false,
        tax_rule,
        terms: customer
            .as_ref()
            .map(|c| c.payment_term.clone())
            .unwrap_or_default(),
        price_tier: customer
            .as_ref()
            .map(|c| c.price_tier.clone())
            .unwrap_or_default(),
        external_id: Some(s.external_id.clone()),
        customer_reference: String::new(),
        quote_status: "NOT AVAILABLE".into(),
        order,
        voided: false,
        shipped_s: None,
        fulfilments: Vec::new(),
        ledger: Default::default(),
        created_s: 0.0,
        updated_s: 0.0,
        extra: Map::new(),
    };
    state.sales.push(sale);
    let idx = state.sales.len() - 1;
    let status = s.status.to_ascii_uppercase();
    if status == "DRAFT" {
        return;
    }
    sale_ops::allocate(state, idx);
    match status.as_str() {
        "VOIDED" => {
            let _ = sale_ops::void(state, idx, 0.0);
        }
        "SHIPPED" => {
            let everything = super::fulfilment::Shipment {
                lines: Vec::new(),
                tracking_number: None,
            };
            super::fulfilment::ship(state, idx, &everything, 0.0);
        }
        _ => {}
    }
}
