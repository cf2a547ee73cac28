//! `concord audit`: the audit log as a table for people or JSON lines for tools. Each entry shows
//! its id, so `--before ID` can fetch the page after it.

use concord_store::AuditEntry;
use std::io::Write;

#[derive(Debug, thiserror::Error)]
pub enum AuditOutError {
    #[error("--format: {0:?} is not a format; use table or json")]
    Format(String),
    #[error("cannot write the audit log: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes `entries` (newest first) as `table` or `json` (one object per line).
pub fn write(
    entries: &[AuditEntry],
    format: &str,
    out: &mut impl Write,
) -> Result<(), AuditOutError> {
    match format {
        "table" => {
            writeln!(
                out,
                "{:<20}  {:>6}  {:<24}  {:<18}  {:<20}  note",
                "at", "id", "actor", "action", "target"
            )?;
            for e in entries {
                writeln!(
                    out,
                    "{:<20}  {:>6}  {:<24}  {:<18}  {:<20}  {}",
                    e.at.format("%Y-%m-%d %H:%M:%S"),
                    e.id,
                    e.actor,
                    e.action,
                    e.target,
                    e.note.as_deref().unwrap_or("")
                )?;
            }
        }
        "json" => {
            for e in entries {
                let line = serde_json::json!({
                    "id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
                    "target": e.target, "note": e.note,
                });
                writeln!(out, "{line}")?;
            }
        }
        other => return Err(AuditOutError::Format(other.to_owned())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> AuditEntry {
        AuditEntry {
            id: 7,
            at: chrono::DateTime::from_timestamp(1_793_606_700, 0).unwrap_or_default(),
            actor: "Priya (finance)".into(),
            action: "exported".into(),
            target: "report:2026-11".into(),
            note: Some("format csv".into()),
        }
    }

    #[test]
    fn entries_print_as_a_table_or_json_lines_and_a_bad_format_is_named() {
        let mut out = Vec::new();
        write(&[entry()], "table", &mut out).unwrap();
        let table = String::from_utf8(out).unwrap();
        assert!(
            table.contains("Priya (finance)") && table.contains("exported"),
            "{table}"
        );
        let mut out = Vec::new();
        write(&[entry()], "json", &mut out).unwrap();
        let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(line["target"], "report:2026-11");
        let err = write(&[entry()], "xml", &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("--format"), "{err}");
    }
}
