//! Generated trade accounts: groups with branches and sub-branches (two or three levels), some
//! standalone accounts, the Cin7 customers that already exist (most groups; the rest are created by
//! Concord on credit hold), one buyer per ordering account and price list assignments.

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Value};

const BRANDS: &[&str] = &[
    "Northwind",
    "Harbour",
    "Bluebell",
    "Oakridge",
    "Kestrel",
    "Marlow",
    "Thistle",
    "Pennine",
    "Seaview",
    "Copper Beech",
    "Juniper",
    "Foxglove",
    "Ashdown",
    "Riverside",
    "Heron",
    "Lark",
    "Willow",
    "Granite",
    "Bramble",
    "Cobalt",
];
const KINDS: &[&str] = &[
    "Trading Group",
    "& Co",
    "Gifts",
    "Outfitters",
    "Retail",
    "Supplies",
    "Leisure",
    "Sports",
];
const TOWNS: &[&str] = &[
    "Leeds",
    "York",
    "Bath",
    "Wells",
    "Bristol",
    "Exeter",
    "Leicester",
    "Derby",
    "Hull",
    "Chester",
    "Norwich",
    "Truro",
    "Durham",
    "Lincoln",
    "Oxford",
    "Ely",
];
const AREAS: &[&str] = &["High Street", "Retail Park", "Outlet", "Station Kiosk"];

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub parent: Option<i64>,
    /// Index into [`People::accounts`] of the financial entity (the top of the hierarchy).
    pub account: usize,
    /// The buyer who places this customer's orders (none for accounts created mid-run).
    pub user: Option<i64>,
    /// The assigned Oro price list, if any (Oro has no inheritance from a parent).
    pub list: Option<i64>,
}

/// A financial entity: the top of a hierarchy, billed in Cin7.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub oro_id: i64,
    /// False: Concord must create it in Cin7, on credit hold.
    pub in_cin7: bool,
    /// For a new one: finance lifts the hold once it appears in Cin7.
    pub lift_hold: bool,
    pub list: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct People {
    pub customers: Vec<Customer>,
    pub accounts: Vec<Account>,
    pub groups: usize,
    /// Indices of customers that place orders from the start.
    pub ordering: Vec<usize>,
    /// Branches that appear mid-run (an `oro_customer` event) and then order.
    pub late: Vec<Customer>,
}

pub fn build(rng: &mut StdRng, orders: usize) -> People {
    let groups = (orders / 8).clamp(4, 400);
    let mut p = People {
        customers: Vec::new(),
        accounts: Vec::new(),
        groups,
        ordering: Vec::new(),
        late: Vec::new(),
    };
    for g in 0..groups {
        let name = account_name(g);
        // The second account is always new to Cin7 so every scenario exercises customer creation.
        let in_cin7 = g != 1 && rng.gen_bool(0.85);
        let list = match rng.gen_range(0..10) {
            0..=6 => Some(1),
            7 | 8 => Some(2),
            _ => None,
        };
        let top = push(&mut p, &name, None, g, list);
        p.accounts.push(Account {
            name: name.clone(),
            oro_id: p.customers[top].id,
            in_cin7,
            lift_hold: !in_cin7 && (g == 1 || rng.gen_bool(0.75)),
            list,
        });
        let branches = if g % 3 == 2 { 0 } else { rng.gen_range(1..=4) };
        if branches == 0 {
            p.ordering.push(top);
        }
        let short = name.split(' ').next().unwrap_or(&name).to_owned();
        for b in 0..branches {
            let town = TOWNS[(g * 5 + b * 3) % TOWNS.len()];
            let bid = p.customers[top].id;
            let branch = push(&mut p, &format!("{short} {town}"), Some(bid), g, list);
            if rng.gen_bool(0.3) {
                let parent = p.customers[branch].id;
                for a in 0..rng.gen_range(1..=2) {
                    let n = format!("{short} {town} {}", AREAS[(a + b) % AREAS.len()]);
                    let leaf = push(&mut p, &n, Some(parent), g, list);
                    p.ordering.push(leaf);
                }
            } else {
                p.ordering.push(branch);
            }
        }
    }
    add_late_branches(&mut p, orders);
    p
}

fn account_name(g: usize) -> String {
    let brand = BRANDS[g % BRANDS.len()];
    let kind = KINDS[(g / BRANDS.len() + g) % KINDS.len()];
    let round = g / (BRANDS.len() * KINDS.len());
    match round {
        0 => format!("{brand} {kind}"),
        n => format!("{brand} {kind} {}", n + 1),
    }
}

fn push(
    p: &mut People,
    name: &str,
    parent: Option<i64>,
    account: usize,
    list: Option<i64>,
) -> usize {
    let id = p.customers.len() as i64 + 1;
    p.customers.push(Customer {
        id,
        name: name.to_owned(),
        parent,
        account,
        user: Some(1000 + id),
        list,
    });
    p.customers.len() - 1
}

/// One new branch per 200 orders (at least one) under an existing group, created on the timeline.
fn add_late_branches(p: &mut People, orders: usize) {
    let n = (orders / 200).clamp(1, 10);
    let first_id = p.customers.len() as i64 + 1;
    for i in 0..n {
        let account = (i * 7) % p.accounts.len();
        let a = &p.accounts[account];
        let short = a.name.split(' ').next().unwrap_or(&a.name).to_owned();
        p.late.push(Customer {
            id: first_id + i as i64,
            name: format!(
                "{short} {} New Branch {}",
                TOWNS[(i + 3) % TOWNS.len()],
                i + 1
            ),
            parent: Some(a.oro_id),
            account,
            user: None,
            list: None,
        });
    }
}

impl People {
    pub fn cin7_customers(&self) -> Vec<Value> {
        self.accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.in_cin7)
            .map(|(i, a)| {
                let (term, tier) = match a.list {
                    Some(2) => ("60 days", "Key Account"),
                    _ => ("30 days", "Trade"),
                };
                let limit = 5000 + (i % 10) * 5000;
                json!({ "name": a.name, "currency": "GBP", "payment_term": term, "price_tier": tier,
                        "tax_rule": "20% VAT", "credit_limit": limit.to_string(), "on_credit_hold": false })
            })
            .collect()
    }

    pub fn oro_customers(&self) -> Vec<Value> {
        self.customers
            .iter()
            .map(|c| json!({ "id": c.id, "name": c.name, "parent": c.parent }))
            .collect()
    }

    pub fn oro_users(&self) -> Vec<Value> {
        self.customers
            .iter()
            .filter_map(|c| {
                let user = c.user?;
                let slug: String = c
                    .name
                    .to_ascii_lowercase()
                    .chars()
                    .filter(|ch| ch.is_ascii_alphanumeric())
                    .collect();
                Some(json!({ "id": user, "customer": c.id, "email": format!("buyer@{slug}.example") }))
            })
            .collect()
    }

    /// Each ordering customer gets its group's list (Oro has no inheritance from a parent).
    pub fn assignments(&self) -> Vec<Value> {
        self.ordering
            .iter()
            .filter_map(|&i| {
                let c = &self.customers[i];
                c.list.map(|l| json!({ "customer": c.id, "price_list": l }))
            })
            .collect()
    }
}
