//! Mollie, two generations. Classic webhooks are unsigned: Mollie POSTs a form body
//! `id=tr_…` (User-Agent `Mollie HTTP client/1.0`) and the receiver must fetch that resource with
//! its API key and trust only what the API returns, so there is nothing to verify here. Next-gen
//! webhooks carry `X-Mollie-Signature: sha256=<hex HMAC-SHA256(signing secret, raw body)>`; for
//! 24 h after a secret rotation each event carries two signature headers (one per secret), which
//! some stacks join with commas, so every value of every such header is a candidate.

use super::common::{self, Alg, Enc};
use super::scheme::{Carried, HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
};

pub struct Mollie;

const SIGNATURE: &str = "x-mollie-signature";
const RECIPE: &str = "\"sha256=\" + hex(HMAC-SHA256(signing secret, raw body)); one header per \
                      active secret";

static INFO: ProviderInfo = ProviderInfo {
    id: "mollie",
    name: "Mollie",
    docs_url: "https://docs.mollie.com/reference/webhooks",
    scheme: "classic: unsigned `id=tr_…` form post (fetch the resource to trust it); next-gen: \
             X-Mollie-Signature: sha256=hex(HMAC-SHA256(signing secret, raw body)), two headers \
             for 24 h after a rotation",
    signature_headers: &[SIGNATURE],
    secret_kind: "next-gen: the webhook subscription's signing secret; classic webhooks have none",
    retries: "up to 10 times over about 26 h; answer within 15 s",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-Mollie-Signature",
    prefix: "sha256=",
    message: Message::Body,
    tolerance_secs: None,
    recipe: RECIPE,
    no_secret: "no signing secret configured: add the next-gen webhook subscription's signing \
                secret",
    missing: "no X-Mollie-Signature header (next-gen webhooks are signed there)",
};

/// Every value across repeated and comma-joined headers. The `sha256=` prefix is optional:
/// Mollie's own examples compare a bare hex digest, so both forms are accepted.
fn candidates<'a>(req: &Inbound<'a>) -> Vec<&'a str> {
    req.header_all(SIGNATURE)
        .into_iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .map(|v| v.strip_prefix("sha256=").unwrap_or(v))
        .filter(|v| !v.is_empty())
        .collect()
}

/// The classic body: a form post whose `id` is a Mollie resource id (`tr_…`, `sub_…`…).
fn classic_id(req: &Inbound<'_>) -> Option<String> {
    common::form_field(req.body, "id").filter(|id| {
        id.split_once('_')
            .is_some_and(|(p, rest)| !p.is_empty() && p.len() <= 4 && !rest.is_empty())
    })
}

impl Provider for Mollie {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let agent = req
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("Mollie"));
        if req.header(SIGNATURE).is_some() || agent {
            Confidence::Strong
        } else if classic_id(req).is_some_and(|id| id.starts_with("tr_")) {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        if let Some(id) = classic_id(req) {
            return EventMeta {
                event_type: None,
                event_id: Some(id),
            };
        }
        common::body_event(req, "/type", "/id")
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let received = candidates(req);
        if received.is_empty() && req.header(SIGNATURE).is_none() && classic_id(req).is_some() {
            return common::bare_report(
                SignatureStatus::Unsupported,
                "Mollie classic webhooks are unsigned and carry only an id to fetch: look the \
                 resource up with your API key and trust what the API returns",
            );
        }
        if let Some(report) = SCHEME.no_secret(secrets) {
            return report;
        }
        if received.is_empty() {
            return SCHEME.bare(SignatureStatus::Missing, SCHEME.missing);
        }
        let carried = Carried {
            text: received.join(", "),
            candidates: received,
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

    const BODY: &[u8] =
        br#"{"resource":"event","id":"event_GvJ8WHrp5isUdRub9CJyH","type":"sales-invoice.paid"}"#;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 0)
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str]) -> SignatureReport {
        testkit::verify(&Mollie, headers, body, 0, secrets)
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<Header> {
        testkit::signed(&Mollie, secret, body, 0)
    }

    #[test]
    fn known_answer() {
        let headers = signed("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            headers[0].value_lossy(),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Mollie, "new", BODY, 0);
    }

    #[test]
    fn two_headers_during_a_rotation_either_matches() {
        let mut headers = signed("old", BODY);
        headers.extend(signed("new", BODY));
        assert_eq!(
            verify(&headers, BODY, &["new"]).status,
            SignatureStatus::Valid
        );
        let joined = format!("{}, {}", headers[0].value_lossy(), headers[1].value_lossy());
        let joined = [Header::new(SIGNATURE, joined)];
        assert_eq!(
            verify(&joined, BODY, &["new"]).status,
            SignatureStatus::Valid
        );
        let bare = headers[1].value_lossy().replace("sha256=", "");
        let bare = [Header::new(SIGNATURE, bare)];
        assert_eq!(verify(&bare, BODY, &["new"]).status, SignatureStatus::Valid);
    }

    #[test]
    fn classic_is_unsupported() {
        let classic = verify(&[], b"id=tr_d0b0E3EA3v", &[]);
        assert_eq!(classic.status, SignatureStatus::Unsupported);
        assert!(classic.reason.contains("fetch"));
    }

    #[test]
    fn diagnosis_explains_a_trailing_newline() {
        let headers = signed("s", BODY);
        let mut received = BODY.to_vec();
        received.push(b'\n');
        let r = verify(&headers, &received, &["s"]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_trailing_newline" && d.explains)
        );
    }

    #[test]
    fn event_and_detection() {
        let classic = inbound(&[], b"id=tr_d0b0E3EA3v");
        assert_eq!(Mollie.detect(&classic), Confidence::Weak);
        assert_eq!(
            Mollie.event(&classic).event_id.as_deref(),
            Some("tr_d0b0E3EA3v")
        );
        let ua = [Header::new("user-agent", "Mollie HTTP client/1.0")];
        assert_eq!(Mollie.detect(&inbound(&ua, b"")), Confidence::Strong);
        let meta = Mollie.event(&inbound(&[], BODY));
        assert_eq!(meta.event_type.as_deref(), Some("sales-invoice.paid"));
        assert_eq!(Mollie.detect(&inbound(&[], b"id=%ff")), Confidence::No);
    }
}
