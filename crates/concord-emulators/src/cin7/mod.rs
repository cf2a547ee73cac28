//! Cin7 Core API v2 emulator: a stateful, in-memory tenant seeded from a scenario's `cin7` half,
//! served over HTTP at the root (`/me`, `/product`, `/sale`, `/saleList`, …) on the scenario clock.
//!
//! It follows `shared/reference/cin7-core-api.md` (never Concord's connector types): the two auth
//! headers, case-insensitive paths and query keys, the documented list envelopes and array error
//! bodies, the sale state machine with stock allocation and backorders (packs auto-assemble from
//! their base SKU), reference books by name, webhooks with Cin7's delivery and retry schedule, the
//! 60-per-minute rate limit with the scenario's signal, and injected faults (latency, 5xx, lost
//! responses on committed writes, outages).
//!
//! # Layout
//! - `emulator`: [`Cin7Emulator`], the public handle (router, timeline hooks, state dump).
//! - `middleware`: outage, auth, latency, rate limit, faults and the API log, before any handler.
//! - `routes/`: one small synchronous handler per endpoint, dispatched on the lower-cased path.
//! - `state`, `seed`: the tenant's data and how a scenario builds it.
//! - `sale_ops`: sale statuses, totals, and what authorise/undo/void do to stock.
//! - `fulfilment`: pick, pack and ship tasks, partial shipments, tracking numbers, combined statuses.
//! - `views`, `wire`: Cin7's JSON shapes; lenient readers, envelopes, money and dates.
//! - `webhooks`: event payloads and the delivery loop.

mod emulator;
mod fulfilment;
mod ledger;
mod ledger_views;
mod middleware;
mod routes;
mod sale_ops;
mod seed;
mod ship_events;
mod state;
mod views;
mod webhooks;
mod wire;

#[cfg(test)]
mod tests;

pub use emulator::Cin7Emulator;
