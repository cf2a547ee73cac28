//! `concord run --dry-run`: the engine reads both real systems and does everything but write.
//! The clients record each write instead (see [`crate::connectors::dry_run`]); this module puts
//! a context into that mode and keeps dry-run state and production state in separate stores.
//!
//! A dry run's store holds made-up Cin7 ids (the sales it "created") and orders marked as sent.
//! A production run on it would skip those orders for ever, and a dry run on a production store
//! would mix made-up ids into real links; so a store is marked at its first dry run and each mode
//! refuses the other's store.

pub mod out;

use crate::connectors::dry_run::DryRun;
use crate::sync::context::Context;
use concord_store::{JobFilter, Store, StoreError};

/// Store cursor naming what the store is for; `dry-run` once a dry run has used it.
pub const MODE_CURSOR: &str = "store.mode";
const DRY_RUN: &str = "dry-run";

#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error(
        "this store already holds a production run's state; a dry run would mix made-up Cin7 ids \
         into it. Give the dry run a store of its own, e.g. CONCORD_STORE__URL=sqlite://dry-run.db"
    )]
    ProductionStore,
    #[error(
        "this store holds a dry run (made-up Cin7 ids, orders marked as sent that never were); \
         a production run would skip those orders. Point [store] url at a fresh store"
    )]
    DryRunStore,
    #[error(transparent)]
    Store(#[from] StoreError),
}

async fn is_dry_run_store(store: &Store) -> Result<bool, StoreError> {
    Ok(store.cursor_get(MODE_CURSOR).await?.as_deref() == Some(DRY_RUN))
}

/// Has any run used this store? Every run queues jobs at once, so one job is proof enough.
async fn has_history(store: &Store) -> Result<bool, StoreError> {
    let filter = JobFilter {
        limit: 1,
        ..JobFilter::default()
    };
    Ok(!store.list_jobs(&filter).await?.is_empty())
}

/// Before a dry run: the store must be fresh (it is then marked) or a dry run's already.
pub async fn claim_store(store: &Store) -> Result<(), GuardError> {
    if is_dry_run_store(store).await? {
        return Ok(());
    }
    if has_history(store).await? {
        return Err(GuardError::ProductionStore);
    }
    store.cursor_set(MODE_CURSOR, DRY_RUN).await?;
    Ok(())
}

/// Before a production run: the store must not be a dry run's.
pub async fn refuse_dry_run_store(store: &Store) -> Result<(), GuardError> {
    if is_dry_run_store(store).await? {
        return Err(GuardError::DryRunStore);
    }
    Ok(())
}

/// The same context with both clients recording their writes in the context's store.
pub fn enable(mut ctx: Context) -> Context {
    let recorder = DryRun::new(ctx.store.clone());
    ctx.cin7 = ctx.cin7.dry_run(recorder.clone());
    ctx.oro = ctx.oro.dry_run(recorder);
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_core::Clock;
    use concord_store::NewJob;

    async fn store() -> Store {
        Store::connect("sqlite::memory:", Clock::real())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_fresh_store_becomes_a_dry_run_store_and_production_then_refuses_it() {
        let s = store().await;
        refuse_dry_run_store(&s).await.unwrap();
        claim_store(&s).await.unwrap();
        claim_store(&s).await.unwrap();
        assert!(matches!(
            refuse_dry_run_store(&s).await,
            Err(GuardError::DryRunStore)
        ));
    }

    #[tokio::test]
    async fn a_store_a_production_run_used_is_refused_for_a_dry_run() {
        let s = store().await;
        let job = NewJob::new("orders.poll", "orders.poll:1", serde_json::json!({}));
        s.enqueue(job).await.unwrap();
        assert!(matches!(
            claim_store(&s).await,
            Err(GuardError::ProductionStore)
        ));
        refuse_dry_run_store(&s).await.unwrap();
    }
}
