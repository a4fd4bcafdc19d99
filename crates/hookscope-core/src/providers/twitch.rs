//! Twitch EventSub (webhook transport): `Twitch-Eventsub-Message-Signature: sha256=<hex>` is the
//! HMAC-SHA256 of `Message-Id + Message-Timestamp + raw body` (no separators) under the secret
//! given when subscribing (10–100 ASCII characters). The timestamp is an RFC 3339 string with
//! nanoseconds, and Twitch asks receivers to reject messages older than 10 minutes. A
//! subscription starts with a `webhook_callback_verification` message whose `challenge` must be
//! echoed as `text/plain`; this module answers it, but only when the signature verifies whenever a
//! secret is configured, so a forged challenge cannot confirm a subscription.

use sha2::Digest as _;

use super::common::{self, Alg, Enc};
use super::scheme::{Carried, HmacScheme, Message};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};
use crate::model::Reply;

pub struct Twitch;

const SIGNATURE: &str = "twitch-eventsub-message-signature";
const ID: &str = "twitch-eventsub-message-id";
const TIMESTAMP: &str = "twitch-eventsub-message-timestamp";
const TYPE: &str = "twitch-eventsub-message-type";
const SUBSCRIPTION: &str = "twitch-eventsub-subscription-type";
const RECIPE: &str = "\"sha256=\" + hex(HMAC-SHA256(secret, Message-Id + Message-Timestamp + raw \
                      body))";
const TOLERANCE: i64 = 600;

static INFO: ProviderInfo = ProviderInfo {
    id: "twitch",
    name: "Twitch EventSub",
    docs_url: "https://dev.twitch.tv/docs/eventsub/handling-webhook-events/",
    scheme: "Twitch-Eventsub-Message-Signature: sha256=hex(HMAC-SHA256(secret, id + timestamp + \
             body)); RFC 3339 timestamp, 10 min",
    signature_headers: &[SIGNATURE, ID, TIMESTAMP, TYPE, SUBSCRIPTION],
    secret_kind: "the secret passed in `transport.secret` when creating the subscription",
    retries: "resent when Twitch is unsure of delivery (at least once, dedupe on the message id); \
              too many failures revoke the subscription with `notification_failures_exceeded`",
    tolerance_secs: Some(TOLERANCE),
};

/// The message id and the RFC 3339 timestamp are signed together, so Twitch joins them into the
/// signed text itself.
static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "Twitch-Eventsub-Message-Signature",
    prefix: "sha256=",
    message: Message::Timestamped {
        header: "Twitch-Eventsub-Message-Timestamp",
        before: "",
        between: "",
    },
    tolerance_secs: Some(TOLERANCE),
    recipe: RECIPE,
    no_secret: "no secret configured: add the `transport.secret` used when creating the EventSub \
                subscription",
    missing: "expected Twitch-Eventsub-Message-Signature (`sha256=…`), Twitch-Eventsub-Message-Id \
              and Twitch-Eventsub-Message-Timestamp headers; at least one is absent or malformed",
};

fn challenge(req: &Inbound<'_>) -> Option<String> {
    if req.header(TYPE) != Some("webhook_callback_verification") {
        return None;
    }
    let body = common::body_json(req)?;
    body.get("challenge")?.as_str().map(str::to_owned)
}

impl Provider for Twitch {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if [SIGNATURE, ID, TYPE]
            .iter()
            .any(|h| req.header(h).is_some())
        {
            Confidence::Strong
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let kind = req.header(TYPE);
        let event_type = match (kind, req.header(SUBSCRIPTION)) {
            (Some("notification") | None, Some(sub)) => Some(sub.to_owned()),
            (Some(kind), _) => Some(kind.to_owned()),
            (None, None) => None,
        };
        EventMeta {
            event_type,
            event_id: req.header(ID).map(str::to_owned),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if let Some(report) = SCHEME.no_secret(secrets) {
            return report;
        }
        let header = req.header(SIGNATURE).map(str::trim);
        let received = header
            .and_then(|h| h.strip_prefix(SCHEME.prefix))
            .filter(|s| !s.is_empty());
        let (Some(received), Some(header), Some(id), Some(ts)) =
            (received, header, req.header(ID), req.header(TIMESTAMP))
        else {
            return SignatureReport {
                received: header.map(str::to_owned),
                ..SCHEME.bare(SignatureStatus::Missing, SCHEME.missing)
            };
        };
        let carried = Carried {
            text: header.to_owned(),
            candidates: vec![received],
            signed_text: format!("{id}{ts}").into(),
            timestamp: common::rfc3339_secs(ts),
        };
        let mut report = SCHEME.report(req, secrets, carried, || {
            secrets
                .iter()
                .find(|s| !(10..=100).contains(&s.len()))
                .map(|s| Diagnosis {
                    code: "secret_length".into(),
                    message: format!(
                        "a {}-byte secret cannot be an EventSub secret: Twitch requires 10–100 \
                         ASCII characters",
                        s.len()
                    ),
                    explains: false,
                })
                .into_iter()
                .collect()
        });
        common::note_unparsed_timestamp(&mut report, ts);
        report
    }

    /// Keeps the request's message id when it has one (a replay is the same message), otherwise
    /// derives a stable UUID-shaped id from the timestamp and body.
    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let ts = common::rfc3339_text(INFO.id, input.timestamp)?;
        let kept = input
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(ID))
            .map(|h| h.value_lossy())
            .filter(|id| !id.is_empty());
        let id = kept.unwrap_or_else(|| {
            let mut hasher = sha2::Sha256::new();
            hasher.update(ts.as_bytes());
            hasher.update(input.body);
            let h = hex::encode(hasher.finalize());
            format!(
                "{}-{}-{}-{}-{}",
                &h[0..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..32]
            )
        });
        let sig = SCHEME.signature(input.secret.as_bytes(), &format!("{id}{ts}"), input.body);
        Ok(vec![
            ("Twitch-Eventsub-Message-Id".into(), id),
            ("Twitch-Eventsub-Message-Timestamp".into(), ts),
            (SCHEME.header.into(), sig),
        ])
    }

    fn handshake(&self, req: &Inbound<'_>, secrets: &[String]) -> Option<Reply> {
        let challenge = challenge(req)?;
        if !secrets.is_empty() && self.verify(req, secrets).status != SignatureStatus::Valid {
            return None;
        }
        Some(Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: challenge.into_bytes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    const BODY: &[u8] = br#"{"subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","type":"channel.follow","version":"2"},"event":{"user_id":"1234"}}"#;
    const NOW: i64 = 1_700_000_000;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8], now: i64) -> Inbound<'a> {
        testkit::inbound(headers, body, now)
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str], now: i64) -> SignatureReport {
        testkit::verify(&Twitch, headers, body, now, secrets)
    }

    fn signed(secret: &str, body: &[u8], timestamp: i64) -> Vec<Header> {
        testkit::signed(&Twitch, secret, body, timestamp)
    }

    #[test]
    fn known_answer_with_a_nanosecond_timestamp() {
        // Computed independently: Python hmac.new(b"s3cRe7s3cRe7",
        // b"e76c6bd4-55c9-4987-8304-da1588d8988b2019-11-16T10:11:12.634234626Z" + b"{}", sha256).
        let headers = [
            Header::new(ID, "e76c6bd4-55c9-4987-8304-da1588d8988b"),
            Header::new(TIMESTAMP, "2019-11-16T10:11:12.634234626Z"),
            Header::new(
                SIGNATURE,
                "sha256=078460d3d1ef88dcbcfdf392b5e811d189c3078a49644407c6d0d901355c26cf",
            ),
        ];
        let r = verify(&headers, b"{}", &["s3cRe7s3cRe7"], 1_573_899_072 + 10);
        assert_eq!(
            (r.status, r.timestamp_age_secs),
            (SignatureStatus::Valid, Some(10))
        );
    }

    #[test]
    fn shared_symmetric_and_stale_cases() {
        testkit::symmetric(&Twitch, "twitch-secret", BODY, NOW);
        testkit::stale(&Twitch, "twitch-secret", BODY, NOW);
    }

    #[test]
    fn sign_keeps_a_message_id() {
        let keep = [Header::new(ID, "msg-1")];
        let input = SignInput {
            secret: "twitch-secret",
            body: BODY,
            timestamp: NOW,
            url: "",
            method: "POST",
            headers: &keep,
        };
        let out = Twitch.sign(&input).expect("signs");
        assert_eq!(
            out[0],
            ("Twitch-Eventsub-Message-Id".into(), "msg-1".into())
        );
        assert_eq!(out[1].1, "2023-11-14T22:13:20Z");
    }

    #[test]
    fn missing_message_id() {
        let mut headers = signed("twitch-secret", BODY, NOW);
        headers.retain(|h| h.name != ID);
        assert_eq!(
            verify(&headers, BODY, &["twitch-secret"], NOW).status,
            SignatureStatus::Missing
        );
    }

    #[test]
    fn diagnosis_explains_a_trailing_newline_and_flags_short_secrets() {
        let headers = signed("short", BODY, NOW);
        let mut received = BODY.to_vec();
        received.push(b'\n');
        let r = verify(&headers, &received, &["short"], NOW);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_trailing_newline" && d.explains)
        );
        assert!(r.diagnosis.iter().any(|d| d.code == "secret_length"));
    }

    #[test]
    fn challenge_is_answered_only_when_signed_by_a_configured_secret() {
        let body = br#"{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{}}"#;
        let mut headers = signed("twitch-secret", body, NOW);
        headers.push(Header::new(TYPE, "webhook_callback_verification"));
        let req = inbound(&headers, body, NOW);
        let reply = Twitch
            .handshake(&req, &["twitch-secret".into()])
            .expect("answered");
        assert_eq!(reply.body, b"pogchamp-kappa-360noscope-vohiyo");
        assert_eq!(reply.headers[0].1, "text/plain");
        assert!(Twitch.handshake(&req, &["wrong-secret".into()]).is_none());
        assert!(Twitch.handshake(&req, &[]).is_some());
        assert!(
            Twitch
                .handshake(&inbound(&headers, BODY, NOW), &[])
                .is_none()
        );
    }

    #[test]
    fn event_and_detection() {
        let headers = [
            Header::new(ID, "m-1"),
            Header::new(TYPE, "notification"),
            Header::new(SUBSCRIPTION, "channel.follow"),
        ];
        let req = inbound(&headers, BODY, NOW);
        assert_eq!(Twitch.detect(&req), Confidence::Strong);
        let meta = Twitch.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("channel.follow"));
        assert_eq!(meta.event_id.as_deref(), Some("m-1"));
        let revocation = [Header::new(TYPE, "revocation")];
        assert_eq!(
            Twitch
                .event(&inbound(&revocation, BODY, NOW))
                .event_type
                .as_deref(),
            Some("revocation")
        );
        assert_eq!(Twitch.detect(&inbound(&[], BODY, NOW)), Confidence::No);
    }
}
