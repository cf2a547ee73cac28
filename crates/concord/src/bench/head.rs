//! The few parts of a scenario the engine side of a benchmark needs (name, clock, settings, rate
//! limit, webhook switches), read without building the catalogue, customers or timeline: with the
//! emulators in a child process, only the child holds those, so they do not count as the engine's.

use concord_core::scenario::{Cin7Seed, ClockSpec, OroSeed, RateLimit, Scenario, Settings};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Head {
    name: String,
    clock: ClockSpec,
    #[serde(default)]
    run_until_s: Option<f64>,
    #[serde(default)]
    settings: Settings,
    cin7: Cin7Head,
    oro: OroHead,
}

#[derive(Deserialize)]
struct Cin7Head {
    #[serde(default)]
    rate_limit: RateLimit,
    #[serde(default)]
    webhooks: bool,
}

#[derive(Deserialize)]
struct OroHead {
    #[serde(default)]
    webhooks: bool,
}

/// A scenario with only its head filled in (every list empty). The full file is validated by
/// whoever loads it whole (the emulator child), so an error here names only these fields.
pub fn scenario_head(text: &str) -> anyhow::Result<Scenario> {
    let head: Head = serde_json::from_str(text)
        .map_err(|e| anyhow::anyhow!("the scenario's head (name, clock, settings, cin7.rate_limit, webhooks) is not valid: {e}"))?;
    let cin7: Cin7Seed = serde_json::from_value(
        json!({ "rate_limit": head.cin7.rate_limit, "webhooks": head.cin7.webhooks }),
    )?;
    let oro: OroSeed = serde_json::from_value(json!({ "webhooks": head.oro.webhooks }))?;
    Ok(Scenario {
        name: head.name,
        description: None,
        clock: head.clock,
        run_until_s: head.run_until_s,
        settings: head.settings,
        cin7,
        oro,
        timeline: Vec::new(),
        expect: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_of_the_public_scenario_matches_its_full_parse() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/scenarios/wholesale-day.json"
        );
        let text =
            std::fs::read_to_string(path).expect("the shared scenario is beside the repository");
        let full = concord_core::scenario::parse_scenario(&text).expect("parses");
        let head = scenario_head(&text).expect("head parses");
        assert_eq!(head.name, full.name);
        assert_eq!(head.clock.start, full.clock.start);
        assert_eq!(head.run_until_s, full.run_until_s);
        assert_eq!(
            head.cin7.rate_limit.calls_per_minute,
            full.cin7.rate_limit.calls_per_minute
        );
        assert_eq!(
            (head.cin7.webhooks, head.oro.webhooks),
            (full.cin7.webhooks, full.oro.webhooks)
        );
        assert_eq!(
            serde_json::to_value(&head.settings).expect("settings serialise"),
            serde_json::to_value(&full.settings).expect("settings serialise")
        );
        assert!(head.oro.products.is_empty() && head.timeline.is_empty());
    }

    #[test]
    fn a_head_with_a_bad_clock_names_it() {
        let err = scenario_head(r#"{"name":"x","clock":{"start":"nope"},"cin7":{},"oro":{}}"#)
            .expect_err("a bad clock is refused");
        assert!(
            err.to_string().contains("clock") || err.to_string().contains("start"),
            "{err}"
        );
    }
}
