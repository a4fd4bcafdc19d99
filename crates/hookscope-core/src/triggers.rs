//! Test events, like `stripe trigger` but offline and for several providers: a realistic body
//! and the provider's own headers from a template, signed with the endpoint's secret through the
//! provider module's `sign`, then sent to a target or captured into Hookscope itself.
//!
//! Adding a template: a row in [`TEMPLATES`] and a branch in [`template_body`]; the trigger test
//! checks every template verifies with its provider.

use serde::Serialize;

use crate::capture::provider_url;
use crate::model::{Header, RawRequest};
use crate::providers::{self, SignInput};
use crate::replay::client::{self, Delivery, Outgoing, SendOptions};
use crate::replay::target::Target;
use crate::{Captured, Engine, Error, Result};

/// A template in the catalog.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TemplateInfo {
    pub provider: &'static str,
    pub event: &'static str,
    pub description: &'static str,
}

pub const TEMPLATES: &[TemplateInfo] = &[
    TemplateInfo {
        provider: "stripe",
        event: "payment_intent.succeeded",
        description: "a PaymentIntent of 20.00 USD succeeded",
    },
    TemplateInfo {
        provider: "stripe",
        event: "checkout.session.completed",
        description: "a Checkout Session was paid",
    },
    TemplateInfo {
        provider: "github",
        event: "push",
        description: "one commit pushed to main",
    },
    TemplateInfo {
        provider: "github",
        event: "ping",
        description: "the ping GitHub sends when a webhook is created",
    },
    TemplateInfo {
        provider: "shopify",
        event: "orders/create",
        description: "an order with one line item was placed",
    },
    TemplateInfo {
        provider: "slack",
        event: "event_callback",
        description: "an app_mention event from the Events API",
    },
    TemplateInfo {
        provider: "standard-webhooks",
        event: "invoice.paid",
        description: "a Standard Webhooks (Svix-style) event",
    },
];

/// A test event ready to send.
#[derive(Debug, Clone)]
pub struct TestEvent {
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
    /// False when there was no secret to sign with.
    pub signed: bool,
}

fn random_id(len: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(len)
        .collect()
}

fn template_body(
    provider: &str,
    event: &str,
    now: i64,
) -> Option<(Vec<Header>, serde_json::Value)> {
    use serde_json::json;
    let json_type = Header::new("content-type", "application/json");
    Some(match (provider, event) {
        ("stripe", "payment_intent.succeeded" | "checkout.session.completed") => {
            let object = if event.starts_with("payment_intent") {
                json!({ "id": format!("pi_{}", random_id(24)), "object": "payment_intent",
                        "amount": 2000, "amount_received": 2000, "currency": "usd",
                        "status": "succeeded", "livemode": false, "created": now })
            } else {
                json!({ "id": format!("cs_test_{}", random_id(24)), "object": "checkout.session",
                        "amount_total": 2000, "currency": "usd", "mode": "payment",
                        "payment_status": "paid", "status": "complete", "livemode": false,
                        "created": now })
            };
            (
                vec![
                    Header::new(
                        "user-agent",
                        "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                    ),
                    Header::new("content-type", "application/json; charset=utf-8"),
                ],
                json!({ "id": format!("evt_{}", random_id(24)), "object": "event",
                        "api_version": "2024-06-20", "created": now, "livemode": false,
                        "pending_webhooks": 1, "type": event,
                        "request": { "id": null, "idempotency_key": null },
                        "data": { "object": object } }),
            )
        }
        ("github", "push" | "ping") => {
            let repo = json!({ "id": 1_296_269, "name": "hello-world",
                               "full_name": "octocat/hello-world", "private": false,
                               "html_url": "https://github.com/octocat/hello-world" });
            let body = if event == "push" {
                let sha = hex::encode(random_id(20));
                json!({ "ref": "refs/heads/main", "before": "0".repeat(40), "after": sha,
                        "repository": repo, "pusher": { "name": "octocat" },
                        "sender": { "login": "octocat", "id": 1 },
                        "commits": [{ "id": sha, "message": "Update README",
                                      "timestamp": crate::event_json::rfc3339_us(now * 1_000_000),
                                      "author": { "name": "Monalisa Octocat", "email": "octocat@github.com" } }],
                        "head_commit": { "id": sha, "message": "Update README" } })
            } else {
                json!({ "zen": "Keep it logically awesome.", "hook_id": 12_345_678,
                        "hook": { "type": "Repository", "id": 12_345_678, "events": ["push"] },
                        "repository": repo, "sender": { "login": "octocat", "id": 1 } })
            };
            (
                vec![
                    Header::new("user-agent", "GitHub-Hookshot/044aadd"),
                    json_type,
                    Header::new("x-github-event", event),
                    Header::new("x-github-delivery", uuid_like()),
                    Header::new("x-github-hook-id", "12345678"),
                ],
                body,
            )
        }
        ("shopify", "orders/create") => {
            let id = fastrand::u64(1_000_000_000_000..9_999_999_999_999);
            (
                vec![
                    json_type,
                    Header::new("x-shopify-topic", "orders/create"),
                    Header::new("x-shopify-shop-domain", "example.myshopify.com"),
                    Header::new("x-shopify-api-version", "2024-07"),
                    Header::new("x-shopify-webhook-id", uuid_like()),
                    Header::new("x-shopify-event-id", uuid_like()),
                    Header::new(
                        "x-shopify-triggered-at",
                        crate::event_json::rfc3339_us(now * 1_000_000),
                    ),
                ],
                json!({ "id": id, "name": "#1001", "email": "jon@example.com",
                        "created_at": crate::event_json::rfc3339_us(now * 1_000_000),
                        "currency": "USD", "total_price": "20.00", "financial_status": "paid",
                        "line_items": [{ "id": id + 1, "title": "T-shirt", "quantity": 1, "price": "20.00" }] }),
            )
        }
        ("slack", "event_callback") => (
            vec![
                Header::new("user-agent", "Slackbot 1.0 (+https://api.slack.com/robots)"),
                json_type,
            ],
            json!({ "token": random_id(24), "team_id": "T0001", "api_app_id": "A0001",
                    "type": "event_callback", "event_id": format!("Ev{}", random_id(10)),
                    "event_time": now,
                    "event": { "type": "app_mention", "user": "U0001", "channel": "C0001",
                               "text": "<@U0LAN0Z89> is it everything a river should be?",
                               "ts": format!("{now}.000100") } }),
        ),
        ("standard-webhooks", "invoice.paid") => (
            vec![json_type],
            json!({ "type": "invoice.paid",
                    "timestamp": crate::event_json::rfc3339_us(now * 1_000_000),
                    "data": { "id": format!("inv_{}", random_id(16)), "amount": 2000, "currency": "usd" } }),
        ),
        _ => return None,
    })
}

fn uuid_like() -> String {
    let hex: String = std::iter::repeat_with(|| {
        char::from_digit(u32::from(fastrand::u8(0..16)), 16).unwrap_or('0')
    })
    .take(32)
    .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Build a test event, signed with `secret` when there is one, for delivery to `url`.
pub fn build(
    provider: &str,
    event: &str,
    secret: Option<&str>,
    url: &str,
    now: i64,
) -> Result<TestEvent> {
    let (mut headers, body) = template_body(provider, event, now).ok_or_else(|| {
        let known: Vec<String> = TEMPLATES
            .iter()
            .map(|t| format!("{} {}", t.provider, t.event))
            .collect();
        Error::invalid(format!(
            "no template for {provider} {event}; templates: {}",
            known.join(", ")
        ))
    })?;
    let body = body.to_string().into_bytes();
    let signed = match secret {
        Some(secret) => {
            let p = providers::by_id(provider)
                .ok_or_else(|| Error::invalid(format!("unknown provider {provider:?}")))?;
            let signature = p
                .sign(&SignInput {
                    secret,
                    body: &body,
                    timestamp: now,
                    url,
                    method: "POST",
                    headers: &headers,
                })
                .map_err(|e| Error::invalid(e.to_string()))?;
            headers.extend(
                signature
                    .into_iter()
                    .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v)),
            );
            true
        }
        None => false,
    };
    Ok(TestEvent {
        headers,
        body,
        signed,
    })
}

/// Send a test event to `url` (loopback unless allowed) and return the target's answer.
pub async fn trigger_send(
    provider: &str,
    event: &str,
    secret: Option<&str>,
    url: &str,
    options: &SendOptions,
) -> Result<(TestEvent, Delivery)> {
    let target = Target::parse(url)?;
    target.check_allowed(options.allow_remote)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let test = build(provider, event, secret, url, now)?;
    let mut headers = vec![Header::new("host", target.authority.clone())];
    headers.extend(test.headers.iter().cloned());
    headers.push(Header::new("content-length", test.body.len().to_string()));
    let out = Outgoing {
        method: "POST".into(),
        url: url.to_string(),
        headers,
        body: test.body.clone(),
    };
    let delivery = client::send(&out, options).await;
    Ok((test, delivery))
}

/// Capture a test event on endpoint `slug` through the capture pipeline, as if the provider had
/// sent it to this Hookscope: analysed, stored, announced, answered by the endpoint's rule. Signed
/// with `secret`, else the endpoint's first secret.
pub async fn trigger_capture(
    engine: &Engine,
    slug: &str,
    provider: &str,
    event: &str,
    secret: Option<&str>,
) -> Result<(TestEvent, Captured)> {
    let endpoint = engine
        .store()
        .read(|c| crate::store::endpoints::get(c, slug))?;
    let path = format!("/{slug}");
    let host = Header::new("host", "localhost");
    let url = provider_url(&endpoint, &path, "", std::slice::from_ref(&host));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let secret = secret.or(endpoint.secrets.first().map(String::as_str));
    let test = build(provider, event, secret, &url, now)?;
    let mut headers = vec![host];
    headers.extend(test.headers.iter().cloned());
    headers.push(Header::new("content-length", test.body.len().to_string()));
    let raw = RawRequest {
        method: "POST".into(),
        path,
        query: String::new(),
        http_version: "HTTP/1.1".into(),
        headers,
        body: test.body.clone(),
        remote_addr: None,
        received_at_us: crate::store::now_us(),
        rejection: None,
    };
    let captured = engine.capture(&endpoint, raw).await?;
    Ok((test, captured))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::{Inbound, SignatureStatus};

    #[test]
    fn every_template_is_recognised_and_verifies_with_its_provider() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let url = "http://localhost:3000/hooks";
        let now = 1_700_000_000;
        for t in TEMPLATES {
            let test = build(t.provider, t.event, Some(secret), url, now).unwrap();
            let inbound = Inbound {
                method: "POST",
                url,
                headers: &test.headers,
                body: &test.body,
                now,
                json: None,
            };
            assert_eq!(
                providers::detect(&inbound).map(|p| p.info().id),
                Some(t.provider),
                "{t:?}"
            );
            let p = providers::by_id(t.provider).unwrap();
            assert_eq!(
                p.verify(&inbound, &[secret.into()]).status,
                SignatureStatus::Valid,
                "{t:?}"
            );
            assert_eq!(
                p.event(&inbound)
                    .event_type
                    .as_deref()
                    .map(|e| e == t.event || t.provider == "slack"),
                Some(true),
                "{t:?}"
            );
        }
        assert!(build("stripe", "nope", None, url, now).is_err());
    }
}
