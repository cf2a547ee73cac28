//! The `/charts` page: how the day went, at a glance. Charts are inline SVG built on the server
//! ([`svg`]) from store reads ([`data`]) bucketed by pure functions ([`series`]); no script, no
//! external load, nothing the strict CSP would have to allow.

pub mod data;
pub mod series;
pub mod svg;
#[cfg(test)]
mod tests;

pub use data::{build, ChartCard, ChartsView};
