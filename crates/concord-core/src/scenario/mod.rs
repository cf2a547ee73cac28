//! The scenario file of `spec/scenario.md`: both systems' starting data, the merchant's rules, the
//! faults to inject and the timeline. Parsed strictly (unknown keys refused) with every error naming
//! its field path, so a refused scenario starts nothing.

mod model;
mod parse;
mod timeline;
mod validate;

#[cfg(test)]
mod oro_switch_tests;

pub use model::*;
pub use parse::{parse_scenario, ScenarioError};
pub use timeline::{OrderStatusChange, Payment, ShipLine, System, TimelineEntry, TimelineEvent};
