//! Fail closed from the command line: an unfinished config stops `concord run` naming the key,
//! and store commands take the store URL from the environment or the config, not only argv.

use std::process::Command;

fn concord(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_concord"));
    cmd.args(args)
        .env_remove("CONCORD_CONFIG")
        .env_remove("CONCORD_STORE__URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the concord binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn example_config() -> String {
    format!("{}/../../config/example.toml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_example_config_with_its_placeholders_stops_run_naming_the_key() {
    let (ok, _, err) = concord(&["run", "--config", &example_config()], &[]);
    assert!(!ok, "placeholders must stop Concord");
    assert!(
        err.contains("oro.client_secret") && err.contains("placeholder"),
        "{err}"
    );
    assert!(!err.contains("change-me"), "{err}");
}

#[test]
fn an_unknown_role_stops_run_naming_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    let text = std::fs::read_to_string(example_config())
        .expect("example")
        .replace("\"change-me\"", "\"vault-secret\"")
        .replace("a-long-random-string", "9d1f4b7a2c6e8f0a3b5d7c9e1f2a4b6c")
        .replace(
            "another-long-random-string",
            "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d",
        )
        .replace("change-me-viewer", "viewer-token-0f3a9c2e71")
        .replace(
            "change-me-admin\", role = \"admin\"",
            "admin-token-5b8d1e4a96\", role = \"superuser\"",
        );
    let path = dir.path().join("c.toml");
    std::fs::write(&path, text).expect("write");
    let (ok, _, err) = concord(&["run", "--config", &path.display().to_string()], &[]);
    assert!(!ok);
    assert!(
        err.contains("web.tokens[1].role") && err.contains("superuser"),
        "{err}"
    );
}

#[test]
fn store_commands_take_the_store_url_from_the_environment_and_audit_reads_it() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/env.db", dir.path().display());
    let env = [("CONCORD_STORE__URL", url.as_str())];

    let (ok, out, err) = concord(&["migrate"], &env);
    assert!(ok, "{err}");
    assert!(out.contains("up to date"), "{out}");
    assert!(dir.path().join("env.db").exists(), "the env URL was used");

    let (ok, out, err) = concord(&["audit", "--format", "table"], &env);
    assert!(ok, "{err}");
    assert!(out.starts_with("at"), "{out}");
}

#[tokio::test]
async fn audit_reads_the_store_named_by_store_a_page_at_a_time() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/audit.db", dir.path().display());
    let store = concord_store::Store::connect(&url, concord_core::Clock::real())
        .await
        .expect("store");
    for target in ["report:2026-10", "report:2026-11", "job:40"] {
        store
            .audit("Priya (finance)", "exported", target, None)
            .await
            .expect("audit");
    }

    let (ok, out, err) = concord(
        &["audit", "--store", &url, "--limit", "2", "--format", "json"],
        &[],
    );
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let targets: Vec<&str> = lines.iter().filter_map(|l| l["target"].as_str()).collect();
    assert_eq!(targets, ["job:40", "report:2026-11"]);
    assert_eq!(lines[0]["actor"], "Priya (finance)");

    let last = lines[1]["id"].to_string();
    let (ok, out, err) = concord(&["audit", "--store", &url, "--before", &last], &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("report:2026-10") && !out.contains("job:40"),
        "{out}"
    );
}
