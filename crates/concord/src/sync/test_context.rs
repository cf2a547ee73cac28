//! A `Context` for unit tests whose Oro and Cin7 are one wiremock server, with a fresh SQLite store.

use crate::app::{build_context, Connections};
use crate::config::{Rules, Schedule};
use crate::connectors::cin7::Cin7Settings;
use crate::connectors::oro::OroSettings;
use crate::sync::context::Context;
use secrecy::SecretString;
use std::time::Duration;
use wiremock::MockServer;

pub async fn against(server: &MockServer, dir: &tempfile::TempDir, rules: Rules) -> Context {
    let store = concord_store::Store::connect(
        &format!("sqlite://{}", dir.path().join("c.db").display()),
        concord_core::Clock::real(),
    )
    .await
    .unwrap();
    let connections = Connections {
        oro: OroSettings {
            base_url: server.uri(),
            client_id: "i".into(),
            client_secret: SecretString::from("s"),
            timeout: Duration::from_secs(30),
        },
        cin7: Cin7Settings {
            base_url: server.uri(),
            account_id: "a".into(),
            application_key: SecretString::from("k"),
            timeout: Duration::from_secs(5),
        },
        cin7_calls_per_minute: 55,
    };
    build_context(store, connections, rules, Schedule::default()).unwrap()
}
