//! The e-mail channel: plain SMTP with optional STARTTLS or implicit TLS (rustls) and AUTH
//! PLAIN/LOGIN, through `lettre`. One connection per message: alerts are rare, pooling buys nothing.

use super::config::{EmailConfig, SmtpAuth, SmtpTls};
use super::message::Message;
use super::DeliveryError;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use std::time::Duration;

/// Sends `msg` to every address in `to`, in one message.
pub(crate) async fn send(
    config: &EmailConfig,
    to: &[String],
    msg: &Message,
) -> Result<(), DeliveryError> {
    let email = build(config, to, msg)?;
    let transport = transport(config)?;
    transport
        .send(email)
        .await
        .map_err(|e| DeliveryError::Email(e.to_string()))?;
    Ok(())
}

fn build(
    config: &EmailConfig,
    to: &[String],
    msg: &Message,
) -> Result<lettre::Message, DeliveryError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| DeliveryError::Email(format!("{what}: {e}"));
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| bad("`from` is not an address", &e))?;
    let mut builder = lettre::Message::builder()
        .from(from)
        .subject(msg.email_subject())
        .header(ContentType::TEXT_PLAIN);
    for address in to {
        let mailbox: Mailbox = address
            .parse()
            .map_err(|e| bad(&format!("recipient {address:?} is not an address"), &e))?;
        builder = builder.to(mailbox);
    }
    builder
        .body(msg.email_body())
        .map_err(|e| bad("cannot build the message", &e))
}

fn transport(config: &EmailConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
    let tls_error = |e: lettre::transport::smtp::Error| DeliveryError::Email(e.to_string());
    let host = config.host.as_str();
    let mut builder = match config.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(config.port.unwrap_or(25)),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(tls_error)?
            .port(config.port.unwrap_or(587)),
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .map_err(tls_error)?
            .port(config.port.unwrap_or(465)),
    };
    let timeout = Duration::try_from_secs_f64(config.timeout_s).unwrap_or(Duration::from_secs(10));
    builder = builder.timeout(Some(timeout));
    if let (Some(user), Some(password)) = (&config.username, &config.password) {
        let mechanism = match config.auth {
            SmtpAuth::Plain => Mechanism::Plain,
            SmtpAuth::Login => Mechanism::Login,
        };
        builder = builder
            .credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ))
            .authentication(vec![mechanism]);
    }
    Ok(builder.build())
}
