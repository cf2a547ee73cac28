//! The configuration loader, `concord::config::Config::parse`: arbitrary TOML text plus arbitrary
//! `CONCORD_SECTION__KEY` environment overrides, as `Config::load` passes them. Input layout: the
//! file's text, a NUL byte, then one `NAME=VALUE` override per line (seeds are readable files).
//!
//! Properties: it never panics; an error message never contains a secret given in the input,
//! and neither does a loaded configuration's `Debug` text. (A secret that is shown but stays
//! shown when the input's copy of it is changed is Concord's own words, not a leak.) A secret is, by this target's own
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
/// name }]`), except under `urls`, where every value is a URL with its token.
fn secrets_in(value: &toml::Value, secret: bool, all: bool, out: &mut Vec<String>) {
    match value {
        toml::Value::Table(t) => t.iter().for_each(|(k, v)| {
            let urls = k.eq_ignore_ascii_case("urls");
            secrets_in(v, all || is_secret_name(k), all || urls, out)
        }),
        toml::Value::Array(items) => items.iter().for_each(|v| secrets_in(v, secret, all, out)),
        toml::Value::String(s) if secret => out.push(s.clone()),
        _ => {}
    }
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

fn secrets(text: &str, env: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    match text.parse::<toml::Table>() {
        Ok(mut doc) => {
            doc.remove("rules");
            secrets_in(&toml::Value::Table(doc), false, false, &mut out);
        }
        Err(_) => secrets_on_lines(text, &mut out),
    }
    for (name, value) in env {
        let section_rules = name.to_ascii_lowercase().starts_with("concord_rules__");
        if !section_rules && is_secret_name(name.rsplit("__").next().unwrap_or(name)) {
            out.push(value.clone());
        }
    }
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| s.chars().count() >= MIN_SECRET_CHARS)
        .collect()
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
    for secret in secrets(&text, &env) {
        let disguised = disguise(&secret);
        if !shown_now.contains(&secret) || disguised == secret {
            continue;
        }
        // Shown: a leak only if it came from the input, i.e. gone once the input changes it
        // (not Concord's own words that the input happens to repeat).
        let text = text.replace(&secret, &disguised);
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(n, v)| (n.clone(), v.replace(&secret, &disguised)))
            .collect();
        assert!(
            shown(&text, &env).contains(&secret),
            "a secret from the input is shown: {secret:?} in {shown_now:?}"
        );
    }
});
