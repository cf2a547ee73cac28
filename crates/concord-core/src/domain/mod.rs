//! Domain newtypes parsed at the edge: once a value has one of these types it is known to be valid.

mod codes;
mod money;

pub use codes::{CurrencyCode, DomainError, Sku, UnitCode};
pub use money::{round_money, round_quantity, MONEY_DP};
