//! Plain-text tables, CSV fields and timestamps for the CLI's output.

use chrono::{DateTime, Utc};
use std::io::{self, Write};

/// Cells longer than this are cut in tables so a row stays on one terminal line.
const MAX_CELL_CHARS: usize = 60;

/// A table with aligned columns, written as plain text.
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|c| cut(&c.replace(['\n', '\r'], " ")))
                .collect(),
        );
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let headers: Vec<String> = self.headers.iter().map(|h| h.to_uppercase()).collect();
        write_line(out, &widths, &headers)?;
        for row in &self.rows {
            write_line(out, &widths, row)?;
        }
        Ok(())
    }
}

fn write_line(out: &mut dyn Write, widths: &[usize], cells: &[String]) -> io::Result<()> {
    let last = cells.len().saturating_sub(1);
    let mut line = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        line.push_str(cell);
        if i < last {
            let pad = width.saturating_sub(cell.chars().count()) + 2;
            line.extend(std::iter::repeat_n(' ', pad));
        }
    }
    writeln!(out, "{}", line.trim_end())
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_CELL_CHARS {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(MAX_CELL_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// One CSV field: quoted when it holds a separator, quote or line break. A leading `=`, `+`,
/// `@` or `-` that is not a number is prefixed with `'` so a spreadsheet never runs it as a formula.
pub fn csv_field(s: &str) -> String {
    let formula = match s.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => s.parse::<f64>().is_err(),
        _ => false,
    };
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Writes one CSV record (RFC 4180: comma-separated, CRLF-terminated).
pub fn csv_row(out: &mut dyn Write, cells: &[&str]) -> io::Result<()> {
    let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
    write!(out, "{}\r\n", line.join(","))
}

/// A timestamp as people read it in a table: `2025-03-01 14:05 UTC`.
pub fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A timestamp to the second, for detail views and machine output read by people.
pub fn time_s(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// How long ago `t` was, in the largest sensible unit: "just now", "5 min ago", "3 h ago", "2 days ago".
pub fn ago(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let s = (now - t).num_seconds();
    match s {
        i64::MIN..=59 => "just now".to_string(),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_needed_and_formulas_are_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_field("-3.00"), "-3.00");
        assert_eq!(csv_field("-x"), "'-x");
    }

    #[test]
    fn tables_align_columns_and_cut_long_cells() {
        let mut t = Table::new(&["id", "subject"]);
        t.row(vec!["1".into(), "order:1001".into()]);
        t.row(vec!["12".into(), "x".repeat(100)]);
        let mut out = Vec::new();
        t.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "ID  SUBJECT");
        assert_eq!(lines[1], "1   order:1001");
        assert!(lines[2].ends_with('…'));
        assert_eq!(lines[2].chars().count(), 4 + MAX_CELL_CHARS);
    }
}
