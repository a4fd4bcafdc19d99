//! Slack: `X-Slack-Signature: v0=<hex>` = HMAC-SHA256(signing secret, "v0:" + timestamp + ":" +
//! body), with the timestamp in `X-Slack-Request-Timestamp`. The signing secret looks like hex but
//! is used as text. Form-encoded bodies (slash commands, interactivity) are signed exactly as
//! received, so a framework that parses and re-encodes the form breaks them. The SDKs reject
//! timestamps more than 5 minutes away from now.
//!
//! Handshake: the Events API's `url_verification` request is answered with its `challenge`.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
};
use crate::model::Reply;

pub struct Slack;

const TOLERANCE_SECS: i64 = 300;
const RECIPE: &str = "`v0=` + hex(HMAC-SHA256(signing secret, \"v0:{X-Slack-Request-Timestamp}:\
                      {body}\")) in X-Slack-Signature";

static INFO: ProviderInfo = ProviderInfo {
    id: "slack",
    name: "Slack",
    docs_url: "https://api.slack.com/authentication/verifying-requests-from-slack",
    scheme: "HMAC-SHA256 hex over `v0:{timestamp}:{body}`, `v0=` prefix",
    signature_headers: &["X-Slack-Signature", "X-Slack-Request-Timestamp"],
    secret_kind: "the app's signing secret (Basic Information → App Credentials), used as text",
    retries: "3 retries (immediately, after 1 min, after 5 min) on non-2xx or a response slower \
              than 3 s; retries carry X-Slack-Retry-Num; answer `X-Slack-No-Retry: 1` to stop them",
    tolerance_secs: Some(TOLERANCE_SECS),
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-Slack-Signature",
    prefix: "v0=",
    message: Message::Timestamped {
        header: "X-Slack-Request-Timestamp",
        before: "v0:",
        between: ":",
    },
    tolerance_secs: Some(TOLERANCE_SECS),
    recipe: RECIPE,
    no_secret: "no secret: add the app's signing secret (api.slack.com/apps → Basic Information \
                → Signing Secret)",
    missing: "no `X-Slack-Signature` header",
};

impl Provider for Slack {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let ua = req.header("user-agent").unwrap_or_default();
        if req.header("x-slack-signature").is_some()
            || req.header("x-slack-request-timestamp").is_some()
            || ua.starts_with("Slackbot")
        {
            Confidence::Strong
        } else if common::body_field(req, &["type"]).as_deref() == Some("url_verification") {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        // Events API: the envelope's `type` is `event_callback`; the inner `event.type` says what
        // happened. Slash commands and interactivity are forms.
        let json_type = common::body_field(req, &["type"]);
        let event_type = match json_type.as_deref() {
            Some("event_callback") => common::body_field(req, &["event", "type"]).or(json_type),
            Some(_) => json_type,
            None => common::form_field(req.body, "payload")
                .and_then(|p| common::json_field(p.as_bytes(), &["type"]))
                .or_else(|| common::form_field(req.body, "command")),
        };
        EventMeta {
            event_type,
            event_id: common::body_field(req, &["event_id"])
                .or_else(|| common::form_field(req.body, "trigger_id")),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        SCHEME.verify(req, secrets)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Ok(SCHEME.sign(input))
    }

    fn handshake(&self, req: &Inbound<'_>, _secrets: &[String]) -> Option<Reply> {
        if common::body_field(req, &["type"]).as_deref() != Some("url_verification") {
            return None;
        }
        let challenge = common::body_field(req, &["challenge"])?;
        Some(Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::json!({ "challenge": challenge })
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

    // Slack's docs example ("Verifying requests from Slack").
    const DOCS_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const DOCS_TS: i64 = 1_531_420_618;
    const DOCS_BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const DOCS_SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn inbound<'a>(headers: &'a [H], body: &'a [u8], now: i64) -> Inbound<'a> {
        testkit::inbound(headers, body, now)
    }

    fn verify(headers: &[H], body: &[u8], now: i64, secrets: &[&str]) -> SignatureReport {
        testkit::verify(&Slack, headers, body, now, secrets)
    }

    fn signed(secret: &str, body: &[u8], ts: i64) -> Vec<H> {
        testkit::signed(&Slack, secret, body, ts)
    }

    #[test]
    fn docs_vector_verifies_and_signs() {
        let headers = [
            H::new("x-slack-request-timestamp", DOCS_TS.to_string()),
            H::new("x-slack-signature", DOCS_SIG),
        ];
        let r = verify(&headers, DOCS_BODY, DOCS_TS + 60, &[DOCS_SECRET]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        let out = signed(DOCS_SECRET, DOCS_BODY, DOCS_TS);
        assert_eq!(out, headers);
    }

    #[test]
    fn shared_symmetric_and_stale_cases() {
        testkit::symmetric(&Slack, "s", b"a=1", 1000);
        testkit::stale(&Slack, "s", b"a=1", 1000);
        // The signature alone, without its timestamp, is not verifiable.
        let headers = signed("s", b"a=1", 1000);
        let only_sig = [headers[1].clone()];
        assert_eq!(
            verify(&only_sig, b"a=1", 1000, &["s"]).status,
            SignatureStatus::Missing
        );
    }

    #[test]
    fn rotation_and_line_ending_diagnosis() {
        let headers = signed("new", b"a=1\nb=2", 1000);
        let r = verify(&headers, b"a=1\nb=2", 1000, &["old", "new"]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        let r = verify(&headers, b"a=1\r\nb=2", 1000, &["new"]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_line_endings" && d.explains),
            "{r:?}"
        );
    }

    #[test]
    fn url_verification_is_answered_with_the_challenge() {
        let body = br#"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
        let req = inbound(&[], body, 0);
        assert_eq!(Slack.detect(&req), Confidence::Weak);
        let reply = Slack.handshake(&req, &[]).expect("a reply");
        assert_eq!(reply.status, 200);
        let v: serde_json::Value = serde_json::from_slice(&reply.body).expect("json");
        assert_eq!(
            v["challenge"],
            "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
        );
        assert!(Slack.handshake(&inbound(&[], b"{}", 0), &[]).is_none());
    }

    #[test]
    fn events_name_the_inner_event_and_forms_the_command() {
        let body =
            br#"{"type":"event_callback","event_id":"Ev08MFMKH6","event":{"type":"app_mention"}}"#;
        let meta = Slack.event(&inbound(&[], body, 0));
        assert_eq!(meta.event_type.as_deref(), Some("app_mention"));
        assert_eq!(meta.event_id.as_deref(), Some("Ev08MFMKH6"));
        let meta = Slack.event(&inbound(&[], DOCS_BODY, 0));
        assert_eq!(meta.event_type.as_deref(), Some("/webhook-collect"));
    }
}
