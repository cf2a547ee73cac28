//! Concord keeps an OroCommerce B2B storefront and a Cin7 Core ERP in agreement.
//!
//! # Layout
//! - [`config`]: TOML + `CONCORD_*` settings, validated, secrets wrapped.
//! - [`connectors`]: one folder per external system (`cin7`, `oro`), the shared rate budget and the
//!   payload log. The only code that knows a wire format.
//! - [`domain`]: the values flows work with, whichever system they came from.
//! - [`sync`]: the flows (orders, customers, inventory, prices): pure mapping and rules plus the
//!   job handlers that do the I/O.
//! - [`reconcile`]: orders ↔ sales, stock, prices and hierarchy comparisons, and the month-end report.
//! - [`alerts`]: alert rules, chat-webhook and e-mail channels, daily and weekly digests.
//! - [`app`]: builds the shared context from settings and registers webhooks.
//! - [`engine`]: workers, schedules and webhook intake, started and stopped as one unit.
//! - [`demo`]: runs a scenario against the in-process emulators and writes the state dump.
//! - [`web`]: the dashboard, JSON API and metrics endpoint.
//! - [`cli`]: the `concord` command line.
//! - [`doctor`]: `concord doctor`, every reference Concord names checked in both systems.
//! - [`dry_run`]: `concord run --dry-run`, the store guard, and `concord dryrun` output.
//! - [`shutdown`]: the one shutdown signal (SIGINT or SIGTERM) of `concord run`.
//! - [`scenario_gen`]: `concord scenario generate`, seeded wholesale scenarios.
//! - [`capture`]: `concord scenario capture`, a scenario file read from the merchant's own systems.
//! - [`bench`]: `concord bench`, runs a scenario and measures calls, throughput, latency, CPU and memory.

pub mod alerts;
pub mod app;
pub mod bench;
pub mod capture;
pub mod cli;
pub mod config;
pub mod connectors;
pub mod demo;
pub mod doctor;
pub mod domain;
pub mod dry_run;
pub mod engine;
pub mod inbox;
pub mod reconcile;
pub mod scenario_gen;
pub mod shutdown;
pub mod sync;
pub mod telemetry;
pub mod web;
