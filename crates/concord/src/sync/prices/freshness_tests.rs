//! Table tests of when a list is read whole and which SKUs a read changed.

use super::*;

/// (case, lists wanted, full pass, lists whose own stamp moved, now, lists to read).
type ListCase = (
    &'static str,
    &'static [i64],
    bool,
    &'static [i64],
    f64,
    &'static [i64],
);
/// (case, the new read, SKUs changed).
type SkuCase = (&'static str, PriceTable, &'static [&'static str]);

#[test]
fn a_list_is_read_whole_when_unread_stale_changed_or_on_a_full_pass() {
    // Lists 1 and 2 were last read whole at 1000 s and 100 s; list 3 never was.
    let read_at: HashMap<i64, f64> = HashMap::from([(1, 1000.0), (2, 100.0)]);
    let cases: &[ListCase] = &[
        ("fresh lists are not read", &[1, 2], false, &[], 1500.0, &[]),
        (
            "a list never read whole is",
            &[1, 2, 3],
            false,
            &[],
            1500.0,
            &[3],
        ),
        (
            "a list at the cadence is",
            &[1, 2],
            false,
            &[],
            1900.0,
            &[2],
        ),
        ("both at the cadence", &[1, 2], false, &[], 2800.0, &[1, 2]),
        (
            "a list whose own updatedAt moved",
            &[1, 2],
            false,
            &[1],
            1500.0,
            &[1],
        ),
        (
            "a full pass reads every list",
            &[1, 2, 3],
            true,
            &[],
            1001.0,
            &[1, 2, 3],
        ),
    ];
    for (name, lists, full, changed, now, want) in cases {
        let changed: HashSet<i64> = changed.iter().copied().collect();
        let got = lists_to_read(lists, &read_at, &changed, *full, *now, 1800.0);
        assert_eq!(got, *want, "{name}");
    }
}

/// (SKU, unit, [(minimum quantity, price)]).
type Row<'a> = (&'a str, &'a str, &'a [(u32, &'a str)]);

fn table(rows: &[Row]) -> PriceTable {
    rows.iter()
        .map(|(sku, unit, tiers)| {
            (
                ((*sku).to_owned(), (*unit).to_owned()),
                tiers
                    .iter()
                    .map(|(q, v)| (rust_decimal::Decimal::from(*q), v.parse().unwrap()))
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn only_skus_whose_tiers_differ_are_changed() {
    let old = table(&[
        ("TEE", "each", &[(1, "9.50"), (100, "9.03")]),
        ("MUG", "each", &[(1, "4.00")]),
        ("CAP", "each", &[(1, "6.00")]),
    ]);
    let cases: &[SkuCase] = &[
        (
            "same prices, other order",
            table(&[
                ("TEE", "each", &[(100, "9.03"), (1, "9.50")]),
                ("MUG", "each", &[(1, "4.00")]),
                ("CAP", "each", &[(1, "6.00")]),
            ]),
            &[],
        ),
        (
            "one value changed",
            table(&[
                ("TEE", "each", &[(1, "9.75"), (100, "9.03")]),
                ("MUG", "each", &[(1, "4.00")]),
                ("CAP", "each", &[(1, "6.00")]),
            ]),
            &["TEE"],
        ),
        (
            "a tier added, a SKU removed, a unit added",
            table(&[
                ("TEE", "each", &[(1, "9.50"), (100, "9.03")]),
                ("TEE", "case", &[(1, "110.00")]),
                ("MUG", "each", &[(1, "4.00"), (50, "3.80")]),
            ]),
            &["CAP", "MUG", "TEE"],
        ),
    ];
    for (name, new, want) in cases {
        let got = changed_skus(Some(&old), new);
        assert!(!got.all, "{name}");
        let got: Vec<&str> = got.skus.iter().map(String::as_str).collect();
        assert_eq!(got, *want, "{name}");
    }
    assert_eq!(changed_skus(Some(&old), &old), PriceChanges::default());
}

#[test]
fn a_list_read_for_the_first_time_changes_everything() {
    let new = table(&[("TEE", "each", &[(1, "9.50")])]);
    let got = changed_skus(None, &new);
    assert!(got.all);
    assert!(!got.is_empty());
    let mut merged = PriceChanges::default();
    assert!(merged.is_empty());
    merged.merge(changed_skus(Some(&PriceTable::new()), &new));
    assert_eq!(merged.skus.len(), 1);
}
