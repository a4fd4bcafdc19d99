//! PagerDuty v3 webhooks: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`, hex HMAC-SHA256 of the
//! raw body with the subscription's secret. During a secret rotation there is one `v1=` entry
//! per active secret, so any entry matching is enough; entries of other versions are ignored.
//! No timestamp is signed and there is no handshake.

use super::common::{self, Alg, Enc, bare_report};
use super::scheme::{Carried, HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
};

pub struct PagerDuty;

static INFO: ProviderInfo = ProviderInfo {
    id: "pagerduty",
    name: "PagerDuty",
    docs_url: "https://github.com/PagerDuty/developer-docs/blob/HEAD/docs/webhooks/04-Signatures.md",
    scheme: "X-PagerDuty-Signature: v1=hex(HMAC-SHA256(secret, raw body)), comma-separated, one \
             per active secret",
    signature_headers: &[
        "X-PagerDuty-Signature",
        "X-Webhook-Id",
        "X-Webhook-Subscription",
    ],
    secret_kind: "the webhook subscription's secret (delivery_method.secret, shown once at creation)",
    retries: "5xx, 429 and timeouts retried for up to 48 h; other 4xx are permanent; 3 consecutive \
              drops disable the subscription for 24 h; answer within 5 s",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-PagerDuty-Signature",
    prefix: "v1=",
    message: Message::Body,
    tolerance_secs: None,
    recipe: "v1=hex(HMAC-SHA256(secret, body)), any entry may match",
    no_secret: "configure the PagerDuty webhook subscription's secret to verify X-PagerDuty-Signature",
    missing: "no X-PagerDuty-Signature header",
};

impl Provider for PagerDuty {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let ua = req
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("PagerDuty-Webhook"));
        if ua || req.header("x-pagerduty-signature").is_some() {
            Confidence::Strong
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let body = common::body_json(req);
        let field = |ptr: &str| common::json_str(body.as_deref(), ptr);
        EventMeta {
            event_type: field("/event/event_type"),
            event_id: req
                .header("x-webhook-id")
                .map(str::to_owned)
                .or_else(|| field("/event/id")),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if let Some(report) = SCHEME.no_secret(secrets) {
            return report;
        }
        let Some(header) = req.header(SCHEME.header).map(str::trim) else {
            return SCHEME.bare(SignatureStatus::Missing, SCHEME.missing);
        };
        // One entry per secret during a rotation, and other versions may come first.
        let v1: Vec<&str> = header
            .split(',')
            .filter_map(|entry| entry.trim().strip_prefix(SCHEME.prefix))
            .collect();
        if v1.is_empty() {
            return SignatureReport {
                received: Some(header.to_owned()),
                ..bare_report(
                    SignatureStatus::Missing,
                    "X-PagerDuty-Signature has no `v1=<hex>` entry",
                )
            };
        }
        let carried = Carried {
            text: header.to_owned(),
            candidates: v1,
            signed_text: "".into(),
            timestamp: None,
        };
        SCHEME.report(req, secrets, carried, Vec::new)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Ok(SCHEME.sign(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 1_700_000_000)
    }

    fn sig(secret: &str, body: &[u8]) -> String {
        let input = SignInput {
            secret,
            body,
            timestamp: 0,
            url: "",
            method: "POST",
            headers: &[],
        };
        PagerDuty
            .sign(&input)
            .ok()
            .and_then(|h| h.into_iter().next())
            .map(|(_, v)| v)
            .unwrap_or_default()
    }

    const BODY: &[u8] =
        br#"{"event":{"id":"01DEN","event_type":"incident.triggered","resource_type":"incident"}}"#;

    #[test]
    fn several_signatures_any_matches() {
        let header = format!("v2=abcd,{},{}", sig("old", BODY), sig("new", BODY));
        let headers = [Header::new("x-pagerduty-signature", header)];
        let r = PagerDuty.verify(&inbound(&headers, BODY), &["new".into()]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(0))
        );
        let r = PagerDuty.verify(&inbound(&headers, BODY), &["other".into(), "old".into()]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&PagerDuty, "pd", BODY, 1_700_000_000);
    }

    #[test]
    fn sign_verify_tamper_wrong_secret_event() {
        let headers = [
            Header::new("x-pagerduty-signature", sig("pd", BODY)),
            Header::new("x-webhook-id", "wh-1"),
        ];
        let req = inbound(&headers, BODY);
        assert_eq!(
            PagerDuty.verify(&req, &["pd".into()]).status,
            SignatureStatus::Valid
        );
        assert_eq!(
            PagerDuty
                .verify(&inbound(&headers, b"{}"), &["pd".into()])
                .status,
            SignatureStatus::Invalid
        );
        let wrong = PagerDuty.verify(&req, &["x".into()]);
        assert_eq!(wrong.status, SignatureStatus::Invalid);
        assert_eq!(wrong.expected, Some(sig("x", BODY)));
        let meta = PagerDuty.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("incident.triggered"));
        assert_eq!(meta.event_id.as_deref(), Some("wh-1"));
    }

    #[test]
    fn missing_no_secret_and_diagnosis() {
        assert_eq!(
            PagerDuty.verify(&inbound(&[], BODY), &["s".into()]).status,
            SignatureStatus::Missing
        );
        let v0 = [Header::new("x-pagerduty-signature", "v0=abc")];
        assert_eq!(
            PagerDuty.verify(&inbound(&v0, BODY), &["s".into()]).status,
            SignatureStatus::Missing
        );
        assert_eq!(
            PagerDuty.verify(&inbound(&[], BODY), &[]).status,
            SignatureStatus::NoSecret
        );
        let crlf = b"{\r\n\"a\":1\r\n}";
        let headers = [Header::new(
            "x-pagerduty-signature",
            sig("pd", b"{\n\"a\":1\n}"),
        )];
        let r = PagerDuty.verify(&inbound(&headers, crlf), &["pd".into()]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_line_endings" && d.explains),
            "{r:?}"
        );
    }
}
