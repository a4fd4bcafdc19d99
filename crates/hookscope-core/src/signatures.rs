//! Signature operations on stored events, shared by the CLI (`hookscope verify`) and the desktop
//! app: re-verify an event with its endpoint's secrets (or secrets being tried out), and sign a
//! body the way a provider would.

use crate::capture::provider_url;
use crate::providers::{self, Inbound, SignInput, SignatureReport};
use crate::store::{Store, endpoints, events};
use crate::{Error, Result};

/// What to verify an event with; `None` fields use what the event and its endpoint have.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    pub secrets: Option<Vec<String>>,
    pub provider: Option<String>,
    /// Unix seconds to judge timestamps against; default: when the event was received, so the
    /// answer is "was it valid on arrival", not "would it still be accepted now".
    pub now: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Verified {
    pub provider: &'static str,
    pub report: SignatureReport,
}

/// Verify a stored event's signature.
pub fn verify_event(store: &Store, id: i64, options: &VerifyOptions) -> Result<Verified> {
    let (event, endpoint) = store.read(|c| {
        let event = events::get(c, id)?;
        let endpoint = endpoints::get(c, &event.summary.endpoint)?;
        Ok((event, endpoint))
    })?;
    let url = provider_url(
        &endpoint,
        &event.summary.path,
        &event.summary.query,
        &event.headers,
    );
    let now = options
        .now
        .unwrap_or(event.summary.received_at_us / 1_000_000);
    let inbound = Inbound {
        method: &event.summary.method,
        url: &url,
        headers: &event.headers,
        body: &event.body,
        now,
        json: None,
    };
    let wanted = options
        .provider
        .as_deref()
        .or(endpoint.provider.as_deref())
        .or(event.summary.provider.as_deref());
    let provider = match wanted {
        Some(id) => providers::by_id(id).ok_or_else(|| Error::invalid(unknown_provider(id)))?,
        None => providers::detect(&inbound).ok_or_else(|| {
            Error::invalid(
                "the sender of this event was not recognised; pass --provider (see `hookscope providers`)",
            )
        })?,
    };
    let secrets = options.secrets.as_ref().unwrap_or(&endpoint.secrets);
    Ok(Verified {
        provider: provider.info().id,
        report: provider.verify(&inbound, secrets),
    })
}

/// The headers `provider` would send for `input`.
pub fn sign(provider: &str, input: &SignInput<'_>) -> Result<Vec<(String, String)>> {
    let p = providers::by_id(provider).ok_or_else(|| Error::invalid(unknown_provider(provider)))?;
    p.sign(input).map_err(|e| Error::invalid(e.to_string()))
}

fn unknown_provider(id: &str) -> String {
    format!("unknown provider {id:?}; `hookscope providers` lists them")
}
