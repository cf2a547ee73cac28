//! Property test of the shared rate budget on a test clock: whatever the pattern of attempts, no
//! 60-second window ever holds more started calls than the limit, and an attempt is refused only
//! when its window is really full.

use crate::support::{at, TestDb};
use proptest::prelude::*;
use std::time::Duration;

const WINDOW: Duration = Duration::from_secs(60);

fn check(attempts: Vec<f64>, limit: u32) -> Result<(), TestCaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let db = TestDb::sqlite().await;
        let mut times = attempts;
        times.sort_by(f64::total_cmp);
        let mut accepted: Vec<f64> = Vec::new();
        for t in times {
            // Each attempt reads the store at exactly its own clock second.
            let granted = at(&db.store, t)
                .budget_try_take("cin7", limit, WINDOW)
                .await
                .unwrap()
                .is_ok();
            let in_window = accepted.iter().filter(|a| **a > t - 60.0).count() as u32;
            prop_assert_eq!(
                granted,
                in_window < limit,
                "at {} with {} in the window",
                t,
                in_window
            );
            if granted {
                accepted.push(t);
            }
        }
        for (i, start) in accepted.iter().enumerate() {
            let inside = accepted[i..].iter().filter(|a| **a < start + 60.0).count() as u32;
            prop_assert!(inside <= limit, "{} calls within 60 s of {}", inside, start);
        }
        Ok(())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn no_sixty_second_window_ever_holds_more_calls_than_the_limit(
        attempts in proptest::collection::vec(0.0f64..600.0, 1..120),
        limit in 1u32..12,
    ) {
        check(attempts, limit)?;
    }
}
