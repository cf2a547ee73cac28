//! A synchronous Batch API request that Oro let run past 25 s answers 202 with an
//! `asyncoperations` record (reference §7.1, §7.3): Concord follows it to its end and maps each
//! `asyncoperationerrors` entry (pointer `/data/<index>/…`) back to the record it sent.

use super::client::OroClient;
use super::error::{OroError, RecordError};
use super::models::Document;
use std::time::Duration;

/// Between two reads of a running operation (clock seconds).
const POLL_EVERY: Duration = Duration::from_secs(2);
/// Reads before giving up on an operation that never ends (a stuck message-queue consumer).
const MAX_POLLS: u32 = 300;

impl OroClient {
    /// `Ok` when `answer` is a finished write; follows an async operation when it is one.
    /// `ids` are the request's record ids, in request order.
    pub(super) async fn finish_if_async(
        &self,
        answer: &str,
        ids: &[String],
    ) -> Result<(), OroError> {
        let Some(operation) = async_operation(answer) else {
            return Ok(());
        };
        let path = format!("/asyncoperations/{operation}");
        for _ in 0..MAX_POLLS {
            let doc = self.get_doc(&path, &[], None).await?;
            let Some(op) = doc.data.into_vec().into_iter().next() else {
                return Err(OroError::Decode(format!("{path} came back empty")));
            };
            let status = op.str("status").unwrap_or_default();
            if status == "new" || status == "running" {
                self.clock().sleep(POLL_EVERY).await;
                continue;
            }
            let errors = op
                .attributes
                .get("summary")
                .and_then(|s| s.get("errorCount"))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            if status == "success" && errors == 0 {
                return Ok(());
            }
            let failed = self.operation_errors(&operation, ids).await?;
            if failed.is_empty() {
                return Err(OroError::Permanent {
                    status: 400,
                    pointer: path,
                    detail: format!("the batch operation ended {status}"),
                });
            }
            return Err(OroError::BatchRefused { operation, failed });
        }
        Err(OroError::Transient(format!(
            "batch operation {operation} still running after {MAX_POLLS} reads"
        )))
    }

    /// The operation's errors, each named by the id of the record its pointer indexes.
    async fn operation_errors(
        &self,
        operation: &str,
        ids: &[String],
    ) -> Result<Vec<RecordError>, OroError> {
        let path = format!("/asyncoperations/{operation}/errors");
        self.get_all(&path, vec![], |e, _| {
            let source = e.attributes.get("source");
            let pointer = source
                .and_then(|s| s.get("pointer").or_else(|| s.get("propertyPath")))
                .and_then(serde_json::Value::as_str)
                .unwrap_or("(request)")
                .to_owned();
            let id = record_index(&pointer)
                .and_then(|i| ids.get(i).cloned())
                .unwrap_or_else(|| "?".to_owned());
            let detail = e
                .str("detail")
                .or_else(|| e.str("title"))
                .unwrap_or_default();
            Ok(Some(RecordError {
                id,
                pointer,
                detail,
            }))
        })
        .await
    }
}

/// The operation id when `answer` is an `asyncoperations` document.
pub(super) fn async_operation(answer: &str) -> Option<String> {
    let doc: Document = serde_json::from_str(answer).ok()?;
    let first = doc.data.into_vec().into_iter().next()?;
    (first.kind == "asyncoperations").then_some(first.id)
}

/// `/data/3/attributes/quantity` → 3.
fn record_index(pointer: &str) -> Option<usize> {
    pointer
        .strip_prefix("/data/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_name_the_record_they_index() {
        assert_eq!(record_index("/data/3/attributes/quantity"), Some(3));
        assert_eq!(record_index("/data/0"), Some(0));
        assert_eq!(record_index("/included/0/attributes/name"), None);
        assert_eq!(
            async_operation(
                r#"{"data":{"type":"asyncoperations","id":"17","attributes":{"status":"new"}}}"#
            ),
            Some("17".into())
        );
        assert_eq!(
            async_operation(r#"{"data":[{"type":"inventorylevels","id":"1"}]}"#),
            None
        );
    }
}
