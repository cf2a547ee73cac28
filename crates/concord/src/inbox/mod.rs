//! The CLI side of the exception inbox, the job queue and the reconciliation report. Each command
//! takes the [`Store`](concord_store::Store) and writes to a `&mut dyn Write`; the logic a person
//! triggers ([`actions`], [`query`], [`report`]) is shared with the dashboard so both act alike.

pub mod actions;
pub mod audit_out;
pub mod cause_text;
pub mod causes;
pub mod causes_out;
pub mod exceptions;
pub mod explain;
pub mod format;
pub mod jobs;
pub mod ledger;
pub mod operating_model;
pub mod query;
pub mod report;
pub mod report_out;

pub use actions::{cli_actor, Action};
pub use operating_model::operating_model_markdown;
pub use query::ExceptionQuery;
pub use report_out::ReportFormat;

/// The output formats of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// Aligned columns for a terminal.
    #[default]
    Table,
    /// An array of objects, for scripts.
    Json,
    /// RFC 4180, for spreadsheets.
    Csv,
}

impl std::str::FromStr for ListFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(ListFormat::Table),
            "json" => Ok(ListFormat::Json),
            "csv" => Ok(ListFormat::Csv),
            other => Err(format!(
                "unknown format `{other}`: expected table, json or csv"
            )),
        }
    }
}

#[cfg(test)]
mod tests;
