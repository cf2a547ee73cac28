//! The closing summary of a run and the state dump the acceptance checker reads.

use super::harness::CallCounts;
use crate::sync::context::Context;
use crate::sync::orders::record::{self, OrderState};
use concord_core::scenario::Scenario;
use concord_store::ExceptionFilter;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub ended_at_s: f64,
    pub orders_in_cin7: usize,
    pub orders_held: usize,
    pub orders_by_state: BTreeMap<String, usize>,
    pub exceptions_by_owner: BTreeMap<String, usize>,
    pub exceptions_by_kind: BTreeMap<String, usize>,
    pub cin7_calls: usize,
    pub cin7_calls_per_order: f64,
    pub oro_calls: usize,
    /// The last reconciliation: orders checked and differences found.
    pub reconciliation: Option<(u64, u64)>,
    /// What the engine (and emulators in a child process) cost, read when the run went idle.
    #[serde(skip)]
    pub usage: Option<RunUsage>,
}

#[derive(Debug, Clone, Copy)]
pub struct RunUsage {
    /// This process from the start of the run: the engine, and the emulators when in process.
    pub engine: crate::bench::process::Usage,
    /// The emulator child, when the emulators ran in one.
    pub emulators: Option<crate::bench::process::Usage>,
    /// The engine at rest after the run went idle (`DemoOptions::rest`).
    pub rest: Option<Rest>,
}

/// CPU this process used while the engine ran on, idle, for `wall_seconds`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rest {
    pub wall_seconds: f64,
    pub cpu_seconds: f64,
}

pub async fn collect(ctx: &Context, calls: &CallCounts) -> anyhow::Result<Summary> {
    let mut by_state = BTreeMap::new();
    let records = record::all(&ctx.store).await?;
    for r in &records {
        *by_state.entry(r.state.as_str().to_owned()).or_insert(0) += 1;
    }
    let in_cin7 = records
        .iter()
        .filter(|r| matches!(r.state, OrderState::Authorised | OrderState::Draft))
        .count();
    let held = records
        .iter()
        .filter(|r| r.state == OrderState::Held)
        .count();
    let mut by_owner = BTreeMap::new();
    let mut by_kind = BTreeMap::new();
    for e in ctx.store.exceptions(&ExceptionFilter::default()).await? {
        *by_owner.entry(e.owner.as_str().to_owned()).or_insert(0) += 1;
        *by_kind.entry(e.kind.as_str().to_owned()).or_insert(0) += 1;
    }
    Ok(Summary {
        ended_at_s: ctx.clock.elapsed_s(),
        orders_in_cin7: in_cin7,
        orders_held: held,
        orders_by_state: by_state,
        exceptions_by_owner: by_owner,
        exceptions_by_kind: by_kind,
        cin7_calls: calls.cin7,
        cin7_calls_per_order: if in_cin7 > 0 {
            calls.cin7_order as f64 / in_cin7 as f64
        } else {
            0.0
        },
        oro_calls: calls.oro,
        reconciliation: last_reconciliation(ctx).await?,
        usage: None,
    })
}

async fn last_reconciliation(ctx: &Context) -> anyhow::Result<Option<(u64, u64)>> {
    let Some(report) = ctx.store.record_get("report", "latest").await? else {
        return Ok(None);
    };
    let checked = report
        .data
        .get("orders_checked")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let found = report
        .data
        .get("discrepancies")
        .and_then(Value::as_array)
        .map_or(0, |d| d.len() as u64);
    Ok(Some((checked, found)))
}

/// The state dump: the emulators' half (`emulator_dump`) with Concord's exceptions and causes.
pub async fn dump(
    scenario: &Scenario,
    ctx: &Context,
    emulator_dump: Value,
) -> anyhow::Result<Value> {
    let exceptions: Vec<Value> = ctx
        .store
        // Every exception: the dump is the record a run is judged by, not a dashboard page.
        .exceptions(&ExceptionFilter {
            limit: 0,
            ..ExceptionFilter::default()
        })
        .await?
        .into_iter()
        .map(|e| json!({ "kind": e.kind.as_str(), "owner": e.owner.as_str(), "subject": e.subject, "status": e.status.as_str(), "occurrences": e.occurrences, "explanation": e.explanation, "first_seen": e.first_seen, "resolution_note": e.resolution_note }))
        .collect();
    let mut dump = emulator_dump;
    dump["scenario"] = json!(scenario.name);
    dump["ended_at_s"] = json!(concord_emulators::common::round_ms(ctx.clock.elapsed_s()));
    let root_causes = crate::inbox::causes::root_causes(&ctx.store).await?.causes;
    dump["concord"] = json!({ "exceptions": exceptions, "root_causes": root_causes });
    Ok(dump)
}

impl Summary {
    pub fn print_text(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        writeln!(
            out,
            "Run ended at {:.0} s of scenario time.",
            self.ended_at_s
        )?;
        writeln!(
            out,
            "Orders in Cin7: {}   held for a person: {}",
            self.orders_in_cin7, self.orders_held
        )?;
        for (state, n) in &self.orders_by_state {
            writeln!(out, "  {state:<26} {n}")?;
        }
        writeln!(out, "Exceptions by owner:")?;
        for (owner, n) in &self.exceptions_by_owner {
            writeln!(out, "  {owner:<26} {n}")?;
        }
        writeln!(out, "Exceptions by kind:")?;
        for (kind, n) in &self.exceptions_by_kind {
            writeln!(out, "  {kind:<26} {n}")?;
        }
        match self.reconciliation {
            Some((checked, 0)) => writeln!(out, "Reconciliation: {checked} orders checked, both systems agree.")?,
            Some((checked, found)) => writeln!(out, "Reconciliation: {checked} orders checked, {found} differences (see `concord report`).")?,
            None => writeln!(out, "Reconciliation: not run yet.")?,
        }
        writeln!(
            out,
            "Cin7 calls: {} ({:.2} order/customer calls per order in Cin7); Oro calls: {}",
            self.cin7_calls, self.cin7_calls_per_order, self.oro_calls
        )
    }
}
