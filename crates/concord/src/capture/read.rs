//! Every read a capture makes, through the connectors' domain-level functions, into one
//! [`Snapshot`]. Cin7 reads are paced by the rate budget at bulk priority.

use super::CaptureError;
use crate::connectors::{cin7::Cin7Error, oro::OroError, RetryAction};
use crate::domain::*;
use crate::sync::context::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use indicatif::ProgressBar;
use std::future::Future;
use std::time::Duration;

/// Attempts of one read before the capture gives up: a live system has blips and short outages,
/// and a capture that fails near its end for one of them wastes every read before it.
const ATTEMPTS: u32 = 6;
/// The longest pause between two attempts of a read.
const MAX_PAUSE: Duration = Duration::from_secs(30);

/// An error that says whether trying again may help.
pub trait Retryable {
    fn retry_action(&self) -> RetryAction;
}

impl Retryable for Cin7Error {
    fn retry_action(&self) -> RetryAction {
        Cin7Error::retry_action(self)
    }
}

impl Retryable for OroError {
    fn retry_action(&self) -> RetryAction {
        OroError::retry_action(self)
    }
}

/// Runs `read` until it succeeds, fails for good, or has been tried [`ATTEMPTS`] times, pausing
/// 1, 2, 4… seconds (or as long as the system asked, up to [`MAX_PAUSE`]) in between.
pub async fn patiently<T, E, F, Fut>(mut read: F) -> Result<T, E>
where
    E: Retryable + std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let error = match read().await {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let pause = match error.retry_action() {
            RetryAction::Retry | RetryAction::LookUpFirst => {
                Duration::from_secs(1 << attempt.min(5))
            }
            RetryAction::RetryAfter(wait) => wait,
            RetryAction::DontRetry => return Err(error),
        };
        if attempt >= ATTEMPTS {
            return Err(error);
        }
        tracing::warn!(attempt, error = %error, "A capture read failed; trying again.");
        tokio::time::sleep(pause.min(MAX_PAUSE)).await;
    }
}

/// Both systems as read, in domain values.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub cin7: Cin7Snapshot,
    pub oro: OroSnapshot,
}

#[derive(Debug, Clone, Default)]
pub struct Cin7Snapshot {
    pub base_currency: Option<String>,
    pub locations: Vec<BookEntry>,
    pub tax_rules: Vec<ErpTaxRule>,
    pub payment_terms: Vec<BookEntry>,
    pub price_tiers: Vec<BookEntry>,
    pub products: Vec<ErpCatalogueProduct>,
    pub availability: Vec<StockRow>,
    pub customers: Vec<ErpCustomerTerms>,
}

#[derive(Debug, Clone, Default)]
pub struct OroSnapshot {
    pub customers: Vec<OroCustomer>,
    pub customer_users: Vec<OroCustomerUser>,
    pub products: Vec<NamedOroProduct>,
    pub levels: Vec<InventoryLevel>,
    /// Each price list (`name` is its id, `label` its name) with its prices.
    pub price_lists: Vec<(BookEntry, Vec<OroPrice>)>,
    /// (customer id, price list id).
    pub assignments: Vec<(i64, i64)>,
    pub orders: Vec<PlacedOrder>,
}

/// The number of steps [`snapshot`] reports on the progress bar.
pub const STEPS: u64 = 15;

/// Reads everything; orders placed at or after `since`.
pub async fn snapshot(
    ctx: &Context,
    since: DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<Snapshot, CaptureError> {
    progress.set_length(STEPS);
    let cin7 = cin7(ctx, progress).await?;
    let oro = oro(ctx, since, progress).await?;
    Ok(Snapshot { cin7, oro })
}

fn step(progress: &ProgressBar, what: &str) {
    progress.set_message(what.to_owned());
    progress.inc(1);
}

async fn cin7(ctx: &Context, progress: &ProgressBar) -> Result<Cin7Snapshot, CaptureError> {
    let c = &ctx.cin7;
    step(progress, "Cin7: account");
    let base_currency = patiently(|| c.base_currency()).await?;
    step(progress, "Cin7: locations");
    let locations = patiently(|| c.locations()).await?;
    step(progress, "Cin7: tax rules");
    let tax_rules = patiently(|| c.tax_rules(crate::connectors::budget::Priority::Bulk)).await?;
    step(progress, "Cin7: payment terms");
    let payment_terms = patiently(|| c.payment_terms()).await?;
    step(progress, "Cin7: price tiers");
    let price_tiers = patiently(|| c.price_tier_names()).await?;
    step(progress, "Cin7: products");
    let products = patiently(|| c.catalogue()).await?;
    step(progress, "Cin7: stock");
    let availability = patiently(|| c.availability(None)).await?;
    step(progress, "Cin7: customers");
    let customers = patiently(|| c.customer_terms()).await?;
    Ok(Cin7Snapshot {
        base_currency,
        locations,
        tax_rules,
        payment_terms,
        price_tiers,
        products,
        availability,
        customers,
    })
}

async fn oro(
    ctx: &Context,
    since: DateTime<Utc>,
    progress: &ProgressBar,
) -> Result<OroSnapshot, CaptureError> {
    let o = &ctx.oro;
    step(progress, "Oro: customers");
    let customers = patiently(|| o.customers()).await?;
    step(progress, "Oro: customer users");
    let customer_users = patiently(|| o.customer_users()).await?;
    step(progress, "Oro: products and units");
    let products = patiently(|| o.named_products()).await?;
    step(progress, "Oro: inventory levels");
    let levels = patiently(|| o.inventory_levels()).await?;
    step(progress, "Oro: price lists and prices");
    let mut price_lists = Vec::new();
    for list in patiently(|| o.price_lists()).await? {
        let Ok(id) = list.name.parse::<i64>() else {
            continue;
        };
        let prices = patiently(|| o.prices(id)).await?;
        price_lists.push((list, prices));
    }
    step(progress, "Oro: price list assignments");
    let assignments = patiently(|| o.price_list_assignments()).await?;
    step(progress, "Oro: recent orders");
    let stamp = since.to_rfc3339_opts(SecondsFormat::Secs, true);
    let orders = patiently(|| o.orders_placed_since(&stamp)).await?;
    Ok(OroSnapshot {
        customers,
        customer_users,
        products,
        levels,
        price_lists,
        assignments,
        orders,
    })
}
