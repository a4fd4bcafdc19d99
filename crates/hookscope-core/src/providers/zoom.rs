//! Zoom: `x-zm-signature: v0=<hex>` = HMAC-SHA256(app Secret Token, "v0:" + timestamp + ":" +
//! body), with the timestamp in `x-zm-request-timestamp` — Slack's recipe under other header
//! names. Zoom documents no tolerance; 5 minutes is the common practice and what is used here.
//!
//! Handshake: `endpoint.url_validation` carries a `payload.plainToken`; the answer is
//! `{"plainToken": p, "encryptedToken": hex(HMAC-SHA256(secret token, p))}` within 3 s. It needs
//! the endpoint's secret, so without one no answer is prepared (Zoom then fails the validation,
//! which is what the user needs to see). Zoom re-validates every 72 hours.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
};
use crate::model::Reply;

pub struct Zoom;

const TOLERANCE_SECS: i64 = 300;
const VALIDATION: &str = "endpoint.url_validation";
const RECIPE: &str = "`v0=` + hex(HMAC-SHA256(secret token, \"v0:{x-zm-request-timestamp}:\
                      {body}\")) in x-zm-signature";

static INFO: ProviderInfo = ProviderInfo {
    id: "zoom",
    name: "Zoom",
    docs_url: "https://developers.zoom.us/docs/api/webhooks/",
    scheme: "HMAC-SHA256 hex over `v0:{timestamp}:{body}`, `v0=` prefix",
    signature_headers: &[
        "x-zm-signature",
        "x-zm-request-timestamp",
        "x-zm-trackingid",
    ],
    secret_kind: "the app's Secret Token (Features → Access → Secret Token)",
    retries: "3 retries when no 200/204 arrives within 3 s: 5 min after the first attempt, then \
              20 min later, then 60 min later",
    tolerance_secs: Some(TOLERANCE_SECS),
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "x-zm-signature",
    prefix: "v0=",
    message: Message::Timestamped {
        header: "x-zm-request-timestamp",
        before: "v0:",
        between: ":",
    },
    tolerance_secs: Some(TOLERANCE_SECS),
    recipe: RECIPE,
    no_secret: "no secret: add the app's Secret Token (Zoom App Marketplace → your app → \
                Features → Access)",
    missing: "no `x-zm-signature` header",
};

impl Provider for Zoom {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let ua = req.header("user-agent").unwrap_or_default();
        if req.header("x-zm-signature").is_some()
            || req.header("x-zm-request-timestamp").is_some()
            || ua.starts_with("Zoom Marketplace")
        {
            Confidence::Strong
        } else if common::body_field(req, &["event"]).as_deref() == Some(VALIDATION) {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: common::body_field(req, &["event"]),
            // NOTE: Zoom has no documented delivery id; the tracking id header is the closest.
            event_id: req.header("x-zm-trackingid").map(str::to_string),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        SCHEME.verify(req, secrets)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Ok(SCHEME.sign(input))
    }

    fn handshake(&self, req: &Inbound<'_>, secrets: &[String]) -> Option<Reply> {
        if common::body_field(req, &["event"]).as_deref() != Some(VALIDATION) {
            return None;
        }
        let plain = common::body_field(req, &["payload", "plainToken"])?;
        let secret = secrets.first()?;
        let encrypted = hex::encode(common::hmac(
            Alg::Sha256,
            secret.as_bytes(),
            plain.as_bytes(),
        ));
        Some(Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::json!({ "plainToken": plain, "encryptedToken": encrypted })
                .to_string()
                .into_bytes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::SignatureStatus;
    use crate::providers::testkit;

    const BODY: &[u8] = br#"{"event":"meeting.started","event_ts":1626230691572,"payload":{}}"#;

    fn inbound<'a>(headers: &'a [H], body: &'a [u8], now: i64) -> Inbound<'a> {
        testkit::inbound(headers, body, now)
    }

    fn verify(headers: &[H], body: &[u8], now: i64, secrets: &[&str]) -> SignatureReport {
        testkit::verify(&Zoom, headers, body, now, secrets)
    }

    fn signed(secret: &str, body: &[u8], ts: i64) -> Vec<H> {
        testkit::signed(&Zoom, secret, body, ts)
    }

    #[test]
    fn signature_matches_an_independently_computed_value() {
        // Python: hmac.new(b"zoom-secret", b"v0:1626230691:" + BODY, sha256).hexdigest()
        let headers = signed("zoom-secret", BODY, 1_626_230_691);
        assert_eq!(
            headers[1].value_lossy(),
            "v0=a7cb5f8b2af03d03385b5e2a2816a191fed62ce947789798414eeff59f9cf2ec"
        );
    }

    #[test]
    fn shared_symmetric_and_stale_cases() {
        testkit::symmetric(&Zoom, "s", BODY, 1000);
        testkit::stale(&Zoom, "s", BODY, 1000);
        let r = verify(&signed("s", BODY, 1000), BODY, 2000, &["s"]);
        assert_eq!(
            (r.status, r.timestamp_age_secs),
            (SignatureStatus::Stale, Some(1000))
        );
    }

    #[test]
    fn rotation_and_reserialised_body() {
        let headers = signed("new", BODY, 1000);
        let r = verify(&headers, BODY, 1000, &["old", "new"]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        let pretty = serde_json::to_vec_pretty(
            &serde_json::from_slice::<serde_json::Value>(BODY).expect("json"),
        )
        .expect("pretty");
        let r = verify(&headers, &pretty, 1000, &["new"]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains),
            "{r:?}"
        );
    }

    #[test]
    fn url_validation_is_answered_only_with_a_secret() {
        // plainToken from Zoom's docs example.
        let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
        let req = inbound(&[], body, 0);
        assert_eq!(Zoom.detect(&req), Confidence::Weak);
        assert!(Zoom.handshake(&req, &[]).is_none());
        let reply = Zoom
            .handshake(&req, &["zoom-secret".into()])
            .expect("reply");
        let v: serde_json::Value = serde_json::from_slice(&reply.body).expect("json");
        assert_eq!(v["plainToken"], "qgg8vlvZRS6UYooatFL8Aw");
        // Python: hmac.new(b"zoom-secret", b"qgg8vlvZRS6UYooatFL8Aw", sha256).hexdigest()
        assert_eq!(
            v["encryptedToken"],
            "b17f0320a1322a509340a1a835b3d9edbc491f0b0790ed2d20d0604d39dfe922"
        );
        assert!(
            Zoom.handshake(&inbound(&[], BODY, 0), &["s".into()])
                .is_none()
        );
    }
}
