//! Settings the Oro client needs, taken from the validated config.

use secrecy::SecretString;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct OroSettings {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub timeout: Duration,
}
