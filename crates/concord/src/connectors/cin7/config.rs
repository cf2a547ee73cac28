//! Settings the Cin7 client needs, taken from the validated config.

use secrecy::SecretString;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Cin7Settings {
    pub base_url: String,
    pub account_id: String,
    pub application_key: SecretString,
    /// Cin7's own clients use 20–60 s; long enough for a slow page, short enough to notice an outage.
    pub timeout: Duration,
}
