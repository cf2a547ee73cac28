//! Tests of loading the configuration: defaults, environment overrides, the example file.

mod basics {
    use crate::config::*;
    use secrecy::ExposeSecret;

    const MINIMAL: &str = r#"
[oro]
base_url = "http://127.0.0.1:1"
client_id = "id"
client_secret = "s3cret"
[cin7]
base_url = "http://127.0.0.1:2"
account_id = "acc"
application_key = "key"
"#;

    #[test]
    fn a_minimal_file_gets_the_documented_defaults() {
        let c = Config::parse(MINIMAL, &[]).unwrap();
        assert_eq!(c.cin7.calls_per_minute, 55);
        assert_eq!(c.schedule.stock_snapshot_s, 300.0);
        assert_eq!(c.store.url, "sqlite://concord.db");
    }

    #[test]
    fn environment_overrides_win_over_the_file() {
        let env = vec![(
            "CONCORD_CIN7__APPLICATION_KEY".to_owned(),
            "from-env".to_owned(),
        )];
        let c = Config::parse(MINIMAL, &env).unwrap();
        assert_eq!(c.cin7.application_key.expose_secret(), "from-env");
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::parse(MINIMAL, &[]).unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn an_error_names_the_key() {
        let bad = MINIMAL.replace("calls", "x") + "\n[rules]\nbogus = 1\n";
        let err = Config::parse(&bad, &[]).unwrap_err().to_string();
        assert!(err.contains("bogus"), "{err}");
        let env = vec![("CONCORD_CIN7__CALLS_PER_MINUTE".to_owned(), "90".to_owned())];
        let err = Config::parse(MINIMAL, &env).unwrap_err().to_string();
        assert!(err.contains("cin7.calls_per_minute"), "{err}");
    }
}

mod example_tests {
    use crate::config::*;

    /// The example with its placeholders replaced, as an operator would leave it.
    fn finished_example() -> String {
        include_str!("../../../../config/example.toml")
            .replace("\"change-me\"", "\"real-secret-from-the-vault\"")
            .replace("change-me-viewer", "viewer-token-0f3a9c2e71")
            .replace("change-me-admin", "admin-token-5b8d1e4a96")
            .replace("a-long-random-string", "9d1f4b7a2c6e8f0a3b5d7c9e1f2a4b6c")
            .replace(
                "another-long-random-string",
                "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d",
            )
    }

    #[test]
    fn the_annotated_example_config_is_valid_once_its_placeholders_are_replaced() {
        let config = Config::parse(&finished_example(), &[]).unwrap();
        assert_eq!(config.rules.price_tiers.len(), 1);
        assert_eq!(config.web.tokens.len(), 2);
    }

    #[test]
    fn the_example_as_shipped_is_refused_naming_a_placeholder_key() {
        let text = include_str!("../../../../config/example.toml");
        let err = Config::parse(text, &[]).unwrap_err().to_string();
        assert!(err.contains("oro.client_secret"), "{err}");
        assert!(err.contains("placeholder"), "{err}");
        let err = Config::parse(
            &finished_example().replace("admin-token-5b8d1e4a96", "change-me-admin"),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("web.tokens[1].token"), "{err}");
    }
}
