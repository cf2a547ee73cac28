//! The scenario parser (`concord_core::scenario::parse_scenario`) and what consumes its output first:
//! both emulators seed themselves from a parsed scenario, and `Rules::from_settings` turns its
//! settings into the merchant's rules. Any text must either parse into something both emulators
//! can load, or fail with an error that names a place; nothing may panic.
#![no_main]

use concord::config::Rules;
use concord_core::scenario::parse_scenario;
use concord_core::Clock;
use concord_emulators::cin7::Cin7Emulator;
use concord_emulators::oro::OroEmulator;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_scenario(text) {
        Ok(scenario) => {
            assert!(
                scenario
                    .timeline
                    .windows(2)
                    .all(|w| w[0].at_s <= w[1].at_s),
                "a parsed timeline is played in time order"
            );
            let clock = Clock::scaled(scenario.clock.start, scenario.clock.speed);
            let _cin7 = Cin7Emulator::new(&scenario, clock.clone());
            let _oro = OroEmulator::new(&scenario, clock);
            let _rules = Rules::from_settings(&scenario.settings);
        }
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an error always says something");
        }
    }
});
