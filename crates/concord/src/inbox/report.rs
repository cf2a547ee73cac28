//! The reconciliation report and the month-end view finance closes a month on: the latest
//! reconciliation run (stored by the engine as record `report/latest`), orders by status for the
//! period, Oro and Cin7 totals per currency, and every difference still standing.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use concord_core::catalogue::ExceptionKind;
use concord_store::{ExceptionFilter, ExceptionStatus, Store, StoreError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

/// The kinds a reconciliation or a finance audit raises: these are the month's differences.
pub const DIFFERENCE_KINDS: [ExceptionKind; 11] = [
    ExceptionKind::OrderMissingInCin7,
    ExceptionKind::SaleWithoutOrder,
    ExceptionKind::OrderTotalMismatch,
    ExceptionKind::OrderStatusMismatch,
    ExceptionKind::TaxMismatch,
    ExceptionKind::CancelAfterFulfilment,
    ExceptionKind::StockDrift,
    ExceptionKind::PriceDrift,
    ExceptionKind::HierarchyDrift,
    ExceptionKind::PaymentUnposted,
    ExceptionKind::PaymentMismatch,
];

/// The engine's latest reconciliation, as stored. Every field is optional on read so an older or
/// partial report still shows what it has.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReconReport {
    pub at: Option<String>,
    pub orders_checked: u64,
    pub sales_checked: u64,
    pub discrepancies: Vec<Discrepancy>,
    pub totals: BTreeMap<String, CurrencyTotals>,
    pub orders_by_status: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Discrepancy {
    pub kind: String,
    pub subject: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CurrencyTotals {
    pub oro: String,
    pub cin7: String,
}

/// One currency's totals with the difference worked out (Cin7 − Oro).
#[derive(Debug, Clone, Serialize)]
pub struct TotalRow {
    pub currency: String,
    pub oro: String,
    pub cin7: String,
    /// Empty when either side is not a number.
    pub difference: String,
    pub agrees: bool,
}

/// One order status: orders created in the period, and the count at the latest reconciliation.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    pub status: String,
    pub in_period: u64,
    pub at_reconciliation: u64,
}

/// One difference: from the latest run, an exception, or both (then `status` is the exception's).
#[derive(Debug, Clone, Serialize)]
pub struct DifferenceRow {
    pub kind: String,
    pub subject: String,
    pub detail: String,
    /// The exception's status, or `reported` for a difference no exception tracks.
    pub status: String,
    pub exception_id: Option<i64>,
    pub owner: String,
}

impl DifferenceRow {
    /// Open, acknowledged or untracked: it still stands in the way of closing the month.
    pub fn stands(&self) -> bool {
        matches!(self.status.as_str(), "open" | "acknowledged" | "reported")
    }
}

/// The month-end view.
#[derive(Debug, Clone, Serialize)]
pub struct MonthEnd {
    /// `YYYY-MM`.
    pub period: String,
    pub generated_at: DateTime<Utc>,
    /// `None` when no reconciliation has run yet.
    pub latest: Option<ReconReport>,
    pub orders_by_status: Vec<StatusRow>,
    pub totals: Vec<TotalRow>,
    pub differences: Vec<DifferenceRow>,
    /// Differences still open, acknowledged or untracked.
    pub standing: usize,
    /// Invoiced, paid and outstanding per billed customer (Concord's postings to Cin7).
    pub customers: Vec<super::ledger::CustomerLedgerRow>,
}

impl MonthEnd {
    /// True when nothing stands in the way of closing the period.
    pub fn ready_to_close(&self) -> bool {
        self.latest.is_some() && self.standing == 0 && self.totals.iter().all(|t| t.agrees)
    }
}

/// Why a report cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("`{0}` is not a period: expected YYYY-MM, e.g. 2025-03")]
    Period(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The first instant of `period` (`YYYY-MM`) and of the month after.
pub fn period_bounds(period: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), ReportError> {
    let bad = || ReportError::Period(period.to_string());
    let start =
        NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").map_err(|_| bad())?;
    let next = if start.month() == 12 {
        NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
    }
    .ok_or_else(bad)?;
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).ok_or_else(bad);
    Ok((midnight(start)?, midnight(next)?))
}

/// The latest reconciliation report, `None` when none has been stored (or it cannot be read).
pub async fn latest_report(store: &Store) -> Result<Option<ReconReport>, StoreError> {
    let Some(record) = store.record_get("report", "latest").await? else {
        return Ok(None);
    };
    match serde_json::from_value::<ReconReport>(record.data) {
        Ok(report) => Ok(Some(report)),
        Err(e) => {
            tracing::warn!(error = %e, "Stored reconciliation report is unreadable; showing none.");
            Ok(None)
        }
    }
}

/// Builds the month-end view for `period` (`YYYY-MM`; the current month on the store's clock by default).
pub async fn month_end(store: &Store, period: Option<&str>) -> Result<MonthEnd, ReportError> {
    let now = store.clock().now();
    let period = period.map_or_else(|| now.format("%Y-%m").to_string(), str::to_string);
    let (start, end) = period_bounds(&period)?;
    let latest = latest_report(store).await?;

    let mut in_period: BTreeMap<String, u64> = BTreeMap::new();
    for r in store.records("order", None).await? {
        if r.created_at >= start && r.created_at < end {
            *in_period.entry(r.status).or_default() += 1;
        }
    }
    let at_recon = latest
        .as_ref()
        .map(|r| r.orders_by_status.clone())
        .unwrap_or_default();
    let mut statuses: Vec<String> = in_period.keys().chain(at_recon.keys()).cloned().collect();
    statuses.sort();
    statuses.dedup();
    let orders_by_status = statuses
        .into_iter()
        .map(|s| StatusRow {
            in_period: in_period.get(&s).copied().unwrap_or(0),
            at_reconciliation: at_recon.get(&s).copied().unwrap_or(0),
            status: s,
        })
        .collect();

    let totals = latest
        .as_ref()
        .map(|r| total_rows(&r.totals))
        .unwrap_or_default();
    let differences = differences(store, latest.as_ref(), start, end).await?;
    let standing = differences.iter().filter(|d| d.stands()).count();
    let customers = super::ledger::per_customer(store, start, end).await?;
    Ok(MonthEnd {
        customers,
        period,
        generated_at: now,
        latest,
        orders_by_status,
        totals,
        differences,
        standing,
    })
}

fn total_rows(totals: &BTreeMap<String, CurrencyTotals>) -> Vec<TotalRow> {
    totals
        .iter()
        .map(|(currency, t)| {
            let diff = match (
                Decimal::from_str(t.oro.trim()),
                Decimal::from_str(t.cin7.trim()),
            ) {
                (Ok(oro), Ok(cin7)) => Some(cin7 - oro),
                _ => None,
            };
            TotalRow {
                currency: currency.clone(),
                oro: t.oro.clone(),
                cin7: t.cin7.clone(),
                difference: diff.map(|d| d.round_dp(2).to_string()).unwrap_or_default(),
                agrees: diff.is_some_and(|d| d.is_zero()),
            }
        })
        .collect()
}

/// The run's discrepancies joined with the difference-kind exceptions seen in the period or still
/// active; a discrepancy tracked by an exception is listed once, with the exception's status.
async fn differences(
    store: &Store,
    latest: Option<&ReconReport>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<DifferenceRow>, StoreError> {
    let mut rows = Vec::new();
    for kind in DIFFERENCE_KINDS {
        let filter = ExceptionFilter {
            kind: Some(kind),
            limit: 0,
            ..ExceptionFilter::default()
        };
        for e in store.exceptions(&filter).await? {
            let active = matches!(
                e.status,
                ExceptionStatus::Open | ExceptionStatus::Acknowledged
            );
            if active || (e.last_seen >= start && e.first_seen < end) {
                rows.push(DifferenceRow {
                    kind: e.kind.to_string(),
                    subject: e.subject,
                    detail: e.explanation,
                    status: e.status.to_string(),
                    exception_id: Some(e.id),
                    owner: e.owner.to_string(),
                });
            }
        }
    }
    for d in latest
        .map(|r| r.discrepancies.as_slice())
        .unwrap_or_default()
    {
        if rows
            .iter()
            .any(|r| r.kind == d.kind && r.subject == d.subject)
        {
            continue;
        }
        let owner = ExceptionKind::parse(&d.kind)
            .map(|k| k.default_owner().to_string())
            .unwrap_or_default();
        rows.push(DifferenceRow {
            kind: d.kind.clone(),
            subject: d.subject.clone(),
            detail: d.detail.clone(),
            status: "reported".to_string(),
            exception_id: None,
            owner,
        });
    }
    rows.sort_by(|a, b| {
        b.stands()
            .cmp(&a.stands())
            .then(a.kind.cmp(&b.kind))
            .then(a.subject.cmp(&b.subject))
    });
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_cover_whole_months_including_december() {
        let (s, e) = period_bounds("2024-12").unwrap();
        assert_eq!(s.to_rfc3339(), "2024-12-01T00:00:00+00:00");
        assert_eq!(e.to_rfc3339(), "2025-01-01T00:00:00+00:00");
        assert!(period_bounds("2024-13").is_err());
        assert!(period_bounds("March").is_err());
    }

    #[test]
    fn totals_agree_only_when_both_sides_are_equal_numbers() {
        let mut t = BTreeMap::new();
        t.insert(
            "GBP".to_string(),
            CurrencyTotals {
                oro: "123.00".into(),
                cin7: "120.00".into(),
            },
        );
        t.insert(
            "EUR".to_string(),
            CurrencyTotals {
                oro: "10".into(),
                cin7: "10.00".into(),
            },
        );
        t.insert(
            "USD".to_string(),
            CurrencyTotals {
                oro: "n/a".into(),
                cin7: "1".into(),
            },
        );
        let rows = total_rows(&t);
        let by = |c: &str| rows.iter().find(|r| r.currency == c).unwrap().clone();
        assert_eq!(by("GBP").difference, "-3.00");
        assert!(!by("GBP").agrees);
        assert!(by("EUR").agrees);
        assert!(!by("USD").agrees && by("USD").difference.is_empty());
    }

    #[test]
    fn a_partial_stored_report_still_reads() {
        let r: ReconReport =
            serde_json::from_value(serde_json::json!({"orders_checked": 4})).unwrap();
        assert_eq!(r.orders_checked, 4);
        assert!(r.discrepancies.is_empty());
    }
}
