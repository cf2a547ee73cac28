//! Concord's integration tests: one binary, each module a flow run end to end against the emulators.

// Test code: a failed expectation should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod acceptance;
mod bench;
mod capture;
mod cli;
mod doctor;
mod dry_run;
mod exactly_once;
mod finance;
mod helpers;
mod holds;
mod live;
mod no_webhooks;
mod oro_strict;
mod oro_subscriptions;
mod oversell;
mod prices_refresh;
mod reconcile_window;
mod root_causes;
mod secret_rotation;
mod security;
mod shared_state;
mod shipments;
mod stock_webhooks;
mod webhooks;
