//! `hookscope endpoints add|list|rm|set`.

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;
use hookscope_core::model::{Endpoint, EndpointPatch, mask_secret};
use hookscope_core::store::{endpoints, events};

use super::open_store;
use crate::Result;

#[derive(Subcommand)]
pub enum Command {
    /// Add an endpoint: requests to /SLUG and /SLUG/… land in it.
    Add {
        slug: String,
        #[command(flatten)]
        fields: Fields,
    },
    /// List endpoints (secrets masked).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an endpoint and its captured events.
    Rm { slug: String },
    /// Change an endpoint; only the options given change.
    Set {
        slug: String,
        #[command(flatten)]
        fields: Fields,
    },
}

#[derive(clap::Args)]
pub struct Fields {
    /// Display name.
    #[arg(long)]
    name: Option<String>,
    /// Signing secret (repeat for rotation); replaces the endpoint's secrets.
    #[arg(long = "secret", value_name = "S")]
    secrets: Vec<String>,
    /// Add a secret, keeping the existing ones.
    #[arg(long = "add-secret", value_name = "S")]
    add_secrets: Vec<String>,
    /// Remove every secret.
    #[arg(long)]
    clear_secrets: bool,
    /// Provider id that overrides detection (`none` to clear); see `hookscope providers`.
    #[arg(long, value_name = "P")]
    provider: Option<String>,
    /// Status to answer with.
    #[arg(long, value_name = "N")]
    status: Option<u16>,
    /// Body to answer with.
    #[arg(long, value_name = "TEXT")]
    body: Option<String>,
    /// Header to answer with, 'Name: value' (repeatable; replaces the answer's headers).
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    headers: Vec<String>,
    /// Wait this long before answering.
    #[arg(long, value_name = "N")]
    delay_ms: Option<u64>,
    /// Answer the failure status to the first N deliveries of each request (rehearse retries).
    #[arg(long, value_name = "N")]
    fail_first: Option<u32>,
    /// Answer the failure status to this percentage of requests, at random.
    #[arg(long, value_name = "PERCENT")]
    fail_percent: Option<u8>,
    /// Status used for injected failures (default 500).
    #[arg(long, value_name = "N")]
    fail_status: Option<u16>,
    /// Largest body kept, in bytes (default 25 MiB); larger requests get 413 and are recorded.
    #[arg(long, value_name = "BYTES")]
    max_body: Option<u64>,
    /// Where auto-forward sends events (`none` to clear).
    #[arg(long, value_name = "URL")]
    forward: Option<String>,
    /// The URL the provider calls for this endpoint, for schemes that sign the URL (`none` to clear).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Desktop notifications for this endpoint: on or off.
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    notify: Option<bool>,
    /// Answer providers' URL-verification challenges: on or off.
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    handshakes: Option<bool>,
}

fn on_off(v: &str) -> std::result::Result<bool, String> {
    match v {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err(format!("expected on or off, got {v:?}")),
    }
}

fn optional(v: &Option<String>) -> Option<Option<String>> {
    v.as_ref().map(|v| {
        if v == "none" || v.is_empty() {
            None
        } else {
            Some(v.clone())
        }
    })
}

impl Fields {
    fn patch(&self, current: Option<&Endpoint>) -> Result<EndpointPatch> {
        let mut patch = EndpointPatch {
            name: self.name.clone(),
            provider: optional(&self.provider),
            forward_url: optional(&self.forward),
            public_url: optional(&self.public_url),
            notify: self.notify,
            max_body: self.max_body,
            handshakes: self.handshakes,
            ..Default::default()
        };
        if let Some(Some(p)) = &patch.provider
            && hookscope_core::providers::by_id(p).is_none()
        {
            return Err(format!("unknown provider {p:?}; `hookscope providers` lists them").into());
        }
        let existing = current.map(|e| e.secrets.clone()).unwrap_or_default();
        if self.clear_secrets || !self.secrets.is_empty() || !self.add_secrets.is_empty() {
            let mut secrets = if self.clear_secrets || !self.secrets.is_empty() {
                Vec::new()
            } else {
                existing
            };
            secrets.extend(self.secrets.iter().cloned());
            secrets.extend(self.add_secrets.iter().cloned());
            patch.secrets = Some(secrets);
        }
        let touches_rule = self.status.is_some()
            || self.body.is_some()
            || !self.headers.is_empty()
            || self.delay_ms.is_some()
            || self.fail_first.is_some()
            || self.fail_percent.is_some()
            || self.fail_status.is_some();
        if touches_rule {
            let mut rule = current.map(|e| e.response.clone()).unwrap_or_default();
            if let Some(s) = self.status {
                rule.status = s;
            }
            if let Some(b) = &self.body {
                rule.body = b.clone();
            }
            if !self.headers.is_empty() {
                rule.headers = self
                    .headers
                    .iter()
                    .map(|h| parse_header(h))
                    .collect::<Result<_>>()?;
            }
            if let Some(d) = self.delay_ms {
                rule.delay_ms = d;
            }
            if let Some(n) = self.fail_first {
                rule.failures.fail_first = n;
            }
            if let Some(p) = self.fail_percent {
                rule.failures.fail_percent = p;
            }
            if let Some(s) = self.fail_status {
                rule.failures.fail_status = Some(s);
            }
            patch.response = Some(rule);
        }
        Ok(patch)
    }
}

fn parse_header(text: &str) -> Result<(String, String)> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("header {text:?} must look like 'Name: value'"))?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("invalid header name {name:?}").into());
    }
    Ok((name.to_ascii_lowercase(), value.trim().to_string()))
}

pub fn run(data: &Path, command: Command) -> Result<ExitCode> {
    let store = open_store(data)?;
    match command {
        Command::Add { slug, fields } => {
            let patch = fields.patch(None)?;
            let ep = store.write(|tx| endpoints::insert(tx, &slug, &patch))?;
            outln!(
                "Added endpoint {} — send requests to /{}/…",
                ep.slug,
                ep.slug
            );
        }
        Command::Set { slug, fields } => {
            let current = store.read(|c| endpoints::get(c, &slug))?;
            let patch = fields.patch(Some(&current))?;
            let ep = store.write(|tx| endpoints::update(tx, &slug, &patch))?;
            outln!("Updated endpoint {}", ep.slug);
        }
        Command::Rm { slug } => {
            store.write(|tx| endpoints::delete(tx, &slug))?;
            outln!("Removed endpoint {slug} and its events");
        }
        Command::List { json } => {
            let list = store.read(endpoints::list)?;
            let (counts, _) = store.read(events::count_by_endpoint)?;
            let count = |slug: &str| {
                counts
                    .iter()
                    .find(|(s, _)| s == slug)
                    .map_or(0, |(_, n)| *n)
            };
            if json {
                let out: Vec<_> = list
                    .iter()
                    .map(|ep| endpoint_json(ep, count(&ep.slug)))
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for ep in &list {
                    print_endpoint(ep, count(&ep.slug))?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An endpoint as JSON, secrets masked, with how many events it holds.
fn endpoint_json(ep: &Endpoint, events: u64) -> serde_json::Value {
    serde_json::json!({
        "slug": ep.slug,
        "name": ep.name,
        "secrets": ep.secrets.iter().map(|s| mask_secret(s)).collect::<Vec<_>>(),
        "provider": ep.provider,
        "response": ep.response,
        "forward_url": ep.forward_url,
        "public_url": ep.public_url,
        "notify": ep.notify,
        "max_body": ep.max_body,
        "handshakes": ep.handshakes,
        "events": events,
    })
}

fn print_endpoint(ep: &Endpoint, events: u64) -> Result<()> {
    let secrets = if ep.secrets.is_empty() {
        "no secret".to_string()
    } else {
        ep.secrets
            .iter()
            .map(|s| mask_secret(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let failures = &ep.response.failures;
    let mut rule = format!("answers {}", ep.response.status);
    if ep.response.delay_ms > 0 {
        rule += &format!(" after {} ms", ep.response.delay_ms);
    }
    if failures.fail_first > 0 {
        rule += &format!(", fails first {} deliveries", failures.fail_first);
    }
    if failures.fail_percent > 0 {
        rule += &format!(", fails {}%", failures.fail_percent);
    }
    outln!(
        "{:<16} {:<20} {:>7} events · provider: {:<12} {} · {}{}",
        ep.slug,
        ep.name,
        events,
        ep.provider.as_deref().unwrap_or("auto"),
        secrets,
        rule,
        ep.forward_url
            .as_deref()
            .map(|u| format!(" · forwards to {u}"))
            .unwrap_or_default()
    );
    Ok(())
}
