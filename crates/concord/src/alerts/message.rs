//! What an alert or a digest says, independent of the channel: a short summary for chat, detail
//! lines for e-mail, and structured fields for whoever parses the webhook.

use chrono::{DateTime, Utc};
use concord_core::catalogue::Owner;
use serde_json::{json, Map, Value};

/// What kind of message it is; chat integrations can route on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Alert,
    DailyDigest,
    WeeklySummary,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Alert => "alert",
            Category::DailyDigest => "daily_digest",
            Category::WeeklySummary => "weekly_summary",
        }
    }
}

/// One message to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Stable identity (`rule:<name>`, `digest:daily:<owner>`, `digest:weekly`): cool-downs and
    /// "last sent" are kept against it.
    pub key: String,
    pub category: Category,
    /// Whose routes it goes to; `None` means every configured route.
    pub owner: Option<Owner>,
    pub title: String,
    /// One or two sentences, enough to act on from a phone notification.
    pub summary: String,
    /// Detail lines: the subjects involved, the oldest open exceptions, counts.
    pub lines: Vec<String>,
    /// Machine-readable facts behind the summary.
    pub fields: Map<String, Value>,
    pub at: DateTime<Utc>,
}

impl Message {
    /// The chat line: Slack and Teams both show `text`.
    pub fn text(&self) -> String {
        format!("[Concord] {}: {}", self.title, self.summary)
    }

    /// The webhook body: `text` for chat tools plus structured fields for everything else.
    pub fn webhook_json(&self) -> Value {
        json!({
            "text": self.text(),
            "title": self.title,
            "summary": self.summary,
            "key": self.key,
            "category": self.category.as_str(),
            "owner": self.owner.map(Owner::as_str),
            "at": self.at.to_rfc3339(),
            "details": self.lines,
            "fields": self.fields,
        })
    }

    pub fn email_subject(&self) -> String {
        format!("[Concord] {}", self.title)
    }

    pub fn email_body(&self) -> String {
        let mut body = format!("{}\n\n", self.summary);
        for line in &self.lines {
            body.push_str(line);
            body.push('\n');
        }
        let owner = self.owner.map(Owner::as_str).unwrap_or("everyone");
        body.push_str(&format!(
            "\n--\nConcord {} `{}` for {owner}, at {}.\n",
            self.category.as_str(),
            self.key,
            self.at.format("%Y-%m-%d %H:%M UTC"),
        ));
        body
    }
}

/// An age as a person reads it: `3 d 4 h`, `2 h 5 min`, `40 min`.
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    let (d, h, m) = (s / 86_400, (s % 86_400) / 3600, (s % 3600) / 60);
    match (d, h) {
        (0, 0) => format!("{m} min"),
        (0, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_a_person_writes_them() {
        assert_eq!(age(40 * 60), "40 min");
        assert_eq!(age(2 * 3600 + 5 * 60), "2 h 5 min");
        assert_eq!(age(3 * 86_400 + 4 * 3600), "3 d 4 h");
        assert_eq!(age(-5), "0 min");
    }

    #[test]
    fn the_webhook_body_has_a_text_field_for_slack_and_teams() {
        let msg = Message {
            key: "rule:x".into(),
            category: Category::Alert,
            owner: Some(Owner::Finance),
            title: "T".into(),
            summary: "S".into(),
            lines: vec!["a".into()],
            fields: Map::new(),
            at: DateTime::<Utc>::UNIX_EPOCH,
        };
        let body = msg.webhook_json();
        assert_eq!(body["text"], "[Concord] T: S");
        assert_eq!(body["owner"], "finance");
        assert_eq!(body["details"][0], "a");
    }
}
