//! The configuration loader, `concord::config::Config::parse`: arbitrary TOML text plus arbitrary
//! `CONCORD_SECTION__KEY` environment overrides, as `Config::load` passes them. Input layout: the
//! file's text, a NUL byte, then one `NAME=VALUE` override per line (seeds are readable files).
//!
//! Properties: it never panics; an error message never contains a secret given in the input,
//! and neither does a loaded configuration's `Debug` text. Not counted as leaks: a secret that
//! stays shown when the copy where it was given is changed (Concord's own words the input
//! repeats), and one that is also part of a non-secret value of the input (a client id, a URL). A secret is, by this target's own
//! reckoning (not the loader's), any value of at least 16 characters under a key whose name
//! holds `secret`, `token`, `password`, `key` or `credential` (but not `…header`, which names a
//! header), or under `urls` (alert webhook URLs carry their token in the path): in the file as TOML reads it, on any `name = value` line of a file TOML cannot read,
//! or in the environment. `[rules]` is left out: its tables are keyed by names the merchant
//! chooses (SKUs, units), so a key there that looks secret says nothing about its value.
#![no_main]

use concord::config::Config;
use libfuzzer_sys::fuzz_target;

/// Shorter values are not secrets Concord accepts (16 characters is its shortest), and short
/// strings turn up in any message by chance.
const MIN_SECRET_CHARS: usize = 16;

fn is_secret_name(name: &str) -> bool {
    let n = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    n == "urls"
        || !n.ends_with("header")
            && ["secret", "token", "password", "key", "credential"]
                .iter()
                .any(|w| n.contains(w))
}

/// Strings held by secret-named keys anywhere in `value`: a string (or a list of strings) right
/// under such a key; a table under one is judged by its own keys (`tokens = [{ token, role,
/// name }]`), except under `urls`, where every value is a URL with its token. Every other string
/// goes to `public`.
fn secrets_in(value: &toml::Value, secret: bool, all: bool, found: &mut Found) {
    match value {
        toml::Value::Table(t) => t.iter().for_each(|(k, v)| {
            let urls = k.eq_ignore_ascii_case("urls");
            secrets_in(v, all || is_secret_name(k), all || urls, found)
        }),
        toml::Value::Array(items) => items.iter().for_each(|v| secrets_in(v, secret, all, found)),
        toml::Value::String(s) if secret => found.file.push(s.clone()),
        toml::Value::String(s) => found.public.push(s.clone()),
        _ => {}
    }
}

/// Secrets by where they came from, and the input's other strings.
#[derive(Default)]
struct Found {
    file: Vec<String>,
    env: Vec<String>,
    public: Vec<String>,
}

/// `name = value` lines read without TOML: what a person would call the secret in a broken file.
fn secrets_on_lines(text: &str, out: &mut Vec<String>) {
    for line in text.lines() {
        if let Some((name, value)) = line.split_once('=') {
            if is_secret_name(name) {
                out.push(
                    value
                        .trim()
                        .trim_matches(|c| c == '"' || c == '\'')
                        .to_owned(),
                );
            }
        }
    }
}

fn secrets(text: &str, env: &[(String, String)]) -> Found {
    let mut found = Found::default();
    match text.parse::<toml::Table>() {
        Ok(mut doc) => {
            doc.remove("rules");
            secrets_in(&toml::Value::Table(doc), false, false, &mut found);
        }
        Err(_) => secrets_on_lines(text, &mut found.file),
    }
    for (name, value) in env {
        let section_rules = name.to_ascii_lowercase().starts_with("concord_rules__");
        if !section_rules && is_secret_name(name.rsplit("__").next().unwrap_or(name)) {
            found.env.push(value.clone());
        } else {
            found.public.push(value.clone());
        }
    }
    let keep = |list: Vec<String>| -> Vec<String> {
        list.into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
            .collect()
    };
    found.file = keep(std::mem::take(&mut found.file));
    found.env = keep(std::mem::take(&mut found.env));
    found
}

fn split(data: &[u8]) -> (String, Vec<(String, String)>) {
    let (text, env) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let env = String::from_utf8_lossy(env)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(n, v)| {
            (
                format!("CONCORD_{}", n.trim_start_matches("CONCORD_")),
                v.to_owned(),
            )
        })
        .collect();
    (String::from_utf8_lossy(text).into_owned(), env)
}

/// The secret with every letter and digit changed: the same shape, another value.
fn disguise(secret: &str) -> String {
    secret
        .chars()
        .map(|c| match c {
            'q' => 'z',
            '7' => '3',
            c if c.is_ascii_alphabetic() => 'q',
            c if c.is_ascii_digit() => '7',
            c => c,
        })
        .collect()
}

/// Whether `secret` is in `shown` as it is or as `{:?}` prints it (quotes and backslashes escaped).
fn appears(shown: &str, secret: &str) -> bool {
    let debug = format!("{secret:?}");
    let escaped = debug
        .get(1..debug.len().saturating_sub(1))
        .unwrap_or(secret);
    shown.contains(secret) || shown.contains(escaped)
}

/// What the loader shows: its error, or the loaded configuration's `Debug` text.
fn shown(text: &str, env: &[(String, String)]) -> String {
    match Config::parse(text, env) {
        Ok(config) => format!("{config:?}"),
        Err(e) => e.to_string(),
    }
}

fuzz_target!(|data: &[u8]| {
    let (text, env) = split(data);
    let shown_now = shown(&text, &env);
    let found = secrets(&text, &env);
    let from_file = found.file.iter().map(|s| (s, true));
    let from_env = found.env.iter().map(|s| (s, false));
    for (secret, in_file) in from_file.chain(from_env) {
        let disguised = disguise(secret);
        // The same text as a non-secret value (a client id, a URL) may be shown.
        let public = found.public.iter().any(|p| p.contains(secret.as_str()));
        if public || disguised == *secret || !appears(&shown_now, secret) {
            continue;
        }
        // Shown: a leak only if it came from where the secret was given, i.e. gone once that
        // copy changes (not Concord's own words that the input happens to repeat).
        let text = if in_file {
            text.replace(secret.as_str(), &disguised)
        } else {
            text.clone()
        };
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(n, v)| match in_file {
                true => (n.clone(), v.clone()),
                false => (n.clone(), v.replace(secret.as_str(), &disguised)),
            })
            .collect();
        assert!(
            appears(&shown(&text, &env), secret),
            "a secret from the input is shown: {secret:?} in {shown_now:?}"
        );
    }
});
