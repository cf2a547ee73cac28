//! The per-kind table of `docs/operating-model.md`, generated from the exception catalogue so the
//! document and the code cannot drift; a test fails when the document holds another table.

use concord_core::catalogue::{ExceptionKind, Rule};

pub const START_MARKER: &str = "<!-- generated:catalogue:start -->";
pub const END_MARKER: &str = "<!-- generated:catalogue:end -->";

/// The Markdown table of every exception kind: owner, rule, when it is raised, what to do.
pub fn operating_model_markdown() -> String {
    let mut md =
        String::from("| Kind | Owner | Rule | Raised when | What to do |\n|---|---|---|---|---|\n");
    for kind in ExceptionKind::ALL {
        let rule = match kind.default_rule() {
            Some(Rule::Hold) => "hold: the order waits",
            Some(Rule::Flag) => "flag: the order flows, audit it",
            None => "report only",
        };
        md.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            kind.as_str(),
            kind.default_owner(),
            rule,
            cell(kind.raised_when()),
            cell(kind.suggested_action()),
        ));
    }
    md
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operating_model_document_holds_the_catalogue_table_verbatim() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/operating-model.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let start = doc.find(START_MARKER).expect("start marker") + START_MARKER.len();
        let end = doc.find(END_MARKER).expect("end marker");
        let generated = operating_model_markdown();
        assert_eq!(
            doc[start..end].trim_matches('\n'),
            generated.trim_end_matches('\n'),
            "docs/operating-model.md is stale: paste inbox::operating_model_markdown() between the markers"
        );
    }

    #[test]
    fn every_kind_has_one_row() {
        let md = operating_model_markdown();
        assert_eq!(md.lines().count(), 2 + ExceptionKind::ALL.len());
    }
}
