//! The words of a root cause: what is wrong, what to do about it, and money as people read it.

use concord_core::domain::round_money;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// (the problem, the one suggested action) for a cause key. `kind` words an unknown key.
pub fn describe(key: &str, kind: &str) -> (String, String) {
    let parts: Vec<&str> = key.splitn(2, ':').collect();
    let rest = parts.get(1).copied().unwrap_or("");
    match parts[0] {
        "sku" => (
            format!("SKU {rest} has no product in Cin7"),
            format!("Create the product {rest} in Cin7 (or correct the SKU in Oro); its held orders then flow by themselves."),
        ),
        "unit" => {
            let (sku, unit) = rest.rsplit_once(':').unwrap_or((rest, "?"));
            (
                format!("The Oro unit {unit} of {sku} maps to no Cin7 SKU"),
                format!("Create the Cin7 pack product for {sku} per {unit} (its bill of materials sets the size) or add a unit override to the config; the held orders then flow by themselves."),
            )
        }
        "customer" => (
            format!("Oro customer {rest} resolves to no financial entity"),
            format!("Fix Oro customer {rest}'s parent (or link it to a Cin7 customer); its held orders then flow by themselves."),
        ),
        "tax" => {
            let (customer, product) = rest.split_once(':').unwrap_or((rest, "-"));
            (
                format!("No tax-rule mapping covers customer tax code {customer} with product tax code {product}"),
                format!("Add a tax_rule_map entry for {customer} / {product} to the config and restart; the held orders then flow by themselves."),
            )
        }
        "price" => {
            let mut p = rest.splitn(3, ':');
            let (list, sku, unit) = (p.next().unwrap_or("?"), p.next().unwrap_or("?"), p.next().unwrap_or("?"));
            (
                format!("Price list {list} disagrees with what buyers paid for {sku} per {unit}"),
                format!("Check price list {list}'s entry for {sku} / {unit} in Oro (and its Cin7 tier); the orders were sent at the price the buyer saw."),
            )
        }
        _ => (format!("{kind} ({key})"), "Look at the exceptions of this cause.".to_owned()),
    }
}

/// "1 order", "27 orders".
pub fn orders_phrase(n: usize) -> String {
    if n == 1 {
        "1 order".to_owned()
    } else {
        format!("{n} orders")
    }
}

/// "£4,210.50", several currencies joined with " + ", "nothing" when empty.
pub fn money(amounts: &BTreeMap<String, Decimal>) -> String {
    let parts: Vec<String> = amounts
        .iter()
        .filter(|(_, a)| !a.is_zero())
        .map(|(cur, a)| amount(cur, *a))
        .collect();
    if parts.is_empty() {
        "no money held up".to_owned()
    } else {
        parts.join(" + ")
    }
}

fn amount(currency: &str, value: Decimal) -> String {
    let rounded = round_money(value);
    let text = format!("{rounded:.2}");
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let symbol = match currency {
        "GBP" => "£".to_owned(),
        "EUR" => "€".to_owned(),
        "USD" => "$".to_owned(),
        other => format!("{other} "),
    };
    format!("{sign}{symbol}{grouped}.{cents}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_reads_as_people_write_it() {
        let table = [
            (vec![("GBP", dec!(4210))], "£4,210.00"),
            (vec![("GBP", dec!(1234567.005))], "£1,234,567.01"),
            (
                vec![("EUR", dec!(12.5)), ("GBP", dec!(999.999))],
                "€12.50 + £1,000.00",
            ),
            (vec![("CHF", dec!(100))], "CHF 100.00"),
            (vec![], "no money held up"),
        ];
        for (amounts, want) in table {
            let map = amounts
                .into_iter()
                .map(|(c, a)| (c.to_owned(), a))
                .collect();
            assert_eq!(money(&map), want);
        }
    }

    #[test]
    fn every_key_prefix_has_its_own_words() {
        let table = [
            ("sku:MUG-LTD", "Create the product MUG-LTD in Cin7"),
            ("unit:TEE:pallet", "pack product for TEE per pallet"),
            ("customer:17", "Fix Oro customer 17's parent"),
            ("tax:EXPORT:-", "tax_rule_map entry for EXPORT / -"),
            ("price:2:TEE:case", "price list 2's entry for TEE / case"),
        ];
        for (key, action) in table {
            let (_, got) = describe(key, "x");
            assert!(got.contains(action), "{key}: {got}");
        }
    }
}
