//! Concord's integration tests: one binary, each module a flow run end to end against the emulators.

mod acceptance;
mod exactly_once;
mod helpers;
mod holds;
mod no_webhooks;
mod oversell;
mod webhooks;
