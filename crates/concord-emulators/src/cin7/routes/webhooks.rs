//! `/webhooks` subscriptions (GET, POST, PUT, DELETE ?ID=), every answer wrapped as `{Webhooks}`.
//!
//! Webhooks need the Automation module (the scenario's `cin7.webhooks`). Without it every call is
//! refused with 400 and a message naming the module: the exact live answer is undocumented, and a
//! 400 (unlike a 403) cannot be mistaken for bad credentials by a client.

use crate::cin7::emulator::Inner;
use crate::cin7::state::{State, Subscription};
use crate::cin7::webhooks::TYPES;
use crate::cin7::wire::{field, flag, guid, same, text, ApiError, Params, Reply};
use serde_json::{json, Value};
use uuid::Uuid;

const PER_TYPE: usize = 5;

fn view(s: &Subscription) -> Value {
    let headers: Vec<Value> = s
        .headers
        .iter()
        .map(|(k, v)| json!({"Key": k, "Value": v}))
        .collect();
    json!({
        "ID": s.id, "Type": s.kind, "Name": format!("{} webhook", s.kind), "IsActive": s.active,
        "ExternalURL": s.url, "ExternalAuthorizationType": s.auth, "ExternalUserName": s.user,
        "ExternalPassword": s.password, "ExternalBearerToken": s.bearer, "ExternalHeaders": headers,
    })
}

fn wrapped(subs: &[&Subscription]) -> Value {
    json!({ "Webhooks": subs.iter().map(|s| view(s)).collect::<Vec<_>>() })
}

fn enabled(state: &State) -> Result<(), ApiError> {
    if state.webhooks_enabled {
        Ok(())
    } else {
        Err(ApiError::bad(
            "Automation module required: webhooks are not available on this subscription.",
        ))
    }
}

pub(super) fn list(inner: &Inner) -> Reply {
    let state = inner.lock();
    enabled(&state)?;
    Ok(wrapped(&state.subscriptions.iter().collect::<Vec<_>>()))
}

pub(super) fn create(inner: &Inner, body: &Value) -> Reply {
    let mut state = inner.lock();
    enabled(&state)?;
    let mut sub = Subscription {
        id: Uuid::new_v4(),
        kind: String::new(),
        active: true,
        url: String::new(),
        auth: "noauth".into(),
        user: String::new(),
        password: String::new(),
        bearer: String::new(),
        headers: Vec::new(),
    };
    apply(&mut sub, body, true)?;
    let same_type = state
        .subscriptions
        .iter()
        .filter(|s| same(&s.kind, &sub.kind))
        .count();
    if same_type >= PER_TYPE {
        return Err(ApiError::bad(format!(
            "You can have at most {PER_TYPE} webhooks of type {}.",
            sub.kind
        )));
    }
    let answer = wrapped(&[&sub]);
    state.subscriptions.push(sub);
    Ok(answer)
}

pub(super) fn update(inner: &Inner, body: &Value) -> Reply {
    let mut state = inner.lock();
    enabled(&state)?;
    let id = guid(text(body, "ID").as_deref())
        .ok_or_else(|| ApiError::bad("Required attribute ID is not provided."))?;
    let sub = state
        .subscriptions
        .iter_mut()
        .find(|s| s.id == id)
        .ok_or_else(|| ApiError::missing(format!("Webhook with ID '{id}' was not found.")))?;
    let mut changed = sub.clone();
    apply(&mut changed, body, false)?;
    *sub = changed;
    Ok(wrapped(&[sub]))
}

/// Deletes the subscription and answers the ones that remain.
pub(super) fn delete(inner: &Inner, params: &Params) -> Reply {
    let mut state = inner.lock();
    enabled(&state)?;
    let id = guid(params.get("ID"))
        .ok_or_else(|| ApiError::bad("Required parameter ID is not provided."))?;
    let before = state.subscriptions.len();
    state.subscriptions.retain(|s| s.id != id);
    if state.subscriptions.len() == before {
        return Err(ApiError::missing(format!(
            "Webhook with ID '{id}' was not found."
        )));
    }
    state.deliveries.retain(|d| d.subscription != id);
    Ok(wrapped(&state.subscriptions.iter().collect::<Vec<_>>()))
}

fn apply(sub: &mut Subscription, body: &Value, creating: bool) -> Result<(), ApiError> {
    if let Some(kind) = text(body, "Type") {
        let known = TYPES
            .iter()
            .find(|t| same(t, &kind))
            .ok_or_else(|| ApiError::bad(format!("Webhook type '{kind}' is not supported.")))?;
        sub.kind = (*known).to_owned();
    } else if creating {
        return Err(ApiError::bad("Required attribute Type is not provided."));
    }
    if let Some(url) = text(body, "ExternalURL") {
        sub.url = url;
    } else if creating {
        return Err(ApiError::bad(
            "Required attribute ExternalURL is not provided.",
        ));
    }
    if let Some(active) = flag(body, "IsActive") {
        sub.active = active;
    }
    if let Some(auth) = text(body, "ExternalAuthorizationType") {
        let auth = auth.to_ascii_lowercase();
        if !["noauth", "basicauth", "bearerauth"].contains(&auth.as_str()) {
            return Err(ApiError::bad(format!("ExternalAuthorizationType '{auth}' is not valid: use noauth, basicauth or bearerauth.")));
        }
        sub.auth = auth;
    }
    for (key, slot) in [
        ("ExternalUserName", &mut sub.user),
        ("ExternalPassword", &mut sub.password),
        ("ExternalBearerToken", &mut sub.bearer),
    ] {
        if let Some(value) = text(body, key) {
            *slot = value;
        }
    }
    if let Some(Value::Array(headers)) = field(body, "ExternalHeaders") {
        sub.headers = headers
            .iter()
            .filter_map(|h| Some((text(h, "Key")?, text(h, "Value").unwrap_or_default())))
            .collect();
    }
    Ok(())
}
