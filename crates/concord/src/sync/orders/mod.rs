//! Orders (Oro → Cin7): intake by webhook and polling, validation, mapping, and exactly-once
//! submission of one Cin7 sale per Oro order.

pub mod cause_keys;
pub mod discounts;
pub mod handler;
pub mod in_flight;
pub mod intake;
pub mod mapping;
pub mod record;
pub mod release;
pub mod revalidate;
pub mod sale_build;
pub mod submit;
pub mod tax;
pub mod tax_check;
pub mod tax_rates;
pub mod validate;
