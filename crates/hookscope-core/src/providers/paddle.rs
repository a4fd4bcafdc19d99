//! Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=<hex>…]`, each `h1` being
//! hex(HMAC-SHA256(notification destination secret, ts + ":" + body)). The `pdl_ntfset_…` secret
//! is used as text. During a secret rotation several `h1` appear and any may match (the Node SDK
//! 3.10 only checks the last one, so a debugger that checks all of them can disagree with it).
//! The SDKs allow only 5 s between `ts` and now, so replays and anything inspected later are
//! stale by design. Paddle Classic (`p_signature`, RSA in the form body) is a different scheme
//! and is not handled here.

use super::common::{self, Alg, Enc, Parsed};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Paddle;

const TOLERANCE_SECS: i64 = 5;
const RECIPE: &str = "hex(HMAC-SHA256(secret key as text, \"{ts}:{body}\")) in each `h1=` of \
                      Paddle-Signature";

static INFO: ProviderInfo = ProviderInfo {
    id: "paddle",
    name: "Paddle",
    docs_url: "https://developer.paddle.com/webhooks/signature-verification",
    scheme: "HMAC-SHA256 hex over `{ts}:{body}`; header `ts=…;h1=…`, several `h1` during rotation",
    signature_headers: &["Paddle-Signature"],
    secret_kind: "the notification destination's secret key (`pdl_ntfset_…`), used as text",
    retries: "live: up to 60 times over 3 days with exponential backoff (sandbox: fewer, over a \
              short window); answer within 5 s",
    tolerance_secs: Some(TOLERANCE_SECS),
};

struct Header<'a> {
    ts: Option<&'a str>,
    h1: Vec<&'a str>,
}

fn parse(value: &str) -> Header<'_> {
    let mut h = Header {
        ts: None,
        h1: Vec::new(),
    };
    for part in value.split(';') {
        match part.trim().split_once('=') {
            Some(("ts", ts)) => h.ts = Some(ts.trim()).filter(|t| t.parse::<i64>().is_ok()),
            Some(("h1", sig)) => h.h1.push(sig.trim()),
            _ => {}
        }
    }
    h
}

fn mac(key: &[u8], ts: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = format!("{ts}:").into_bytes();
    msg.extend_from_slice(body);
    common::hmac(Alg::Sha256, key, &msg)
}

impl Provider for Paddle {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header("paddle-signature").is_some() {
            return Confidence::Strong;
        }
        let shaped = common::body_field(req, &["event_id"])
            .is_some_and(|id| id.starts_with("evt_"))
            && common::body_field(req, &["notification_id"]).is_some();
        if shaped {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: common::body_field(req, &["event_type"]),
            event_id: common::body_field(req, &["event_id"])
                .or_else(|| common::body_field(req, &["notification_id"])),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return common::bare_report(
                SignatureStatus::NoSecret,
                "no secret: add the notification destination's secret key (Paddle → Developer \
                 tools → Notifications → the destination → Secret key)",
            )
            .with_recipe(RECIPE);
        }
        let Some(raw) = req.header("paddle-signature") else {
            return common::bare_report(SignatureStatus::Missing, "no `Paddle-Signature` header")
                .with_recipe(RECIPE);
        };
        let h = parse(raw);
        let Some(ts) = h.ts.filter(|_| !h.h1.is_empty()) else {
            return common::bare_report(
                SignatureStatus::Missing,
                "`Paddle-Signature` lacks a numeric `ts=` or any `h1=`",
            )
            .with_recipe(RECIPE);
        };
        let check = |key: &[u8], body: &[u8]| {
            let computed = mac(key, ts, body);
            h.h1.iter()
                .any(|sig| common::signature_matches(Enc::Hex, &computed, sig))
        };
        common::verify_symmetric(
            Parsed {
                provider: INFO.name,
                recipe: RECIPE,
                received: raw.into(),
                body: req.body,
                timestamp: ts.parse().ok(),
                tolerance_secs: Some(TOLERANCE_SECS),
                now: req.now,
            },
            secrets,
            |s| Some(s.as_bytes().to_vec()),
            check,
            |key| format!("ts={ts};h1={}", hex::encode(mac(key, ts, req.body))),
            || api_key_findings(secrets),
        )
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        if input.secret.is_empty() {
            return Err(SignError::BadSecret("the secret key is empty".into()));
        }
        let ts = input.timestamp.to_string();
        let sig = hex::encode(mac(input.secret.as_bytes(), &ts, input.body));
        Ok(vec![(
            "Paddle-Signature".into(),
            format!("ts={ts};h1={sig}"),
        )])
    }
}

/// Paddle API keys (`pdl_live_apikey_…`, `pdl_sdbx_apikey_…`) are not webhook secrets.
fn api_key_findings(secrets: &[String]) -> Vec<Diagnosis> {
    secrets
        .iter()
        .filter(|s| s.contains("_apikey_"))
        .take(1)
        .map(|_| Diagnosis {
            code: "api_key_not_signing_secret".into(),
            message:
                "a secret containing `_apikey_` is a Paddle API key; webhooks are signed with \
                      the notification destination's secret key (`pdl_ntfset_…`)"
                    .into(),
            explains: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::testkit;

    const SECRET: &str = "pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI7vEI";
    const BODY: &[u8] = br#"{"event_id":"evt_01h8bzakzx3hm2fmen703n5q45","event_type":"transaction.updated","notification_id":"ntf_01h8bzam1z32agrxjwhjgqk8w6"}"#;
    const TS: i64 = 1_692_723_000;

    fn verify(headers: &[H], body: &[u8], now: i64, secrets: &[&str]) -> SignatureReport {
        Paddle.verify(
            &testkit::request(testkit::URL, headers, body, now),
            &testkit::secrets(secrets),
        )
    }

    fn signed(secret: &str, body: &[u8], ts: i64) -> Vec<H> {
        testkit::signed(&Paddle, secret, body, ts)
    }

    #[test]
    fn signature_matches_an_independently_computed_value() {
        // Python: hmac.new(SECRET, b"1692723000:" + BODY, sha256).hexdigest()
        let h = signed(SECRET, BODY, TS);
        assert_eq!(
            h[0].value_lossy(),
            "ts=1692723000;h1=cb2d2429a42dcefb1dbf4cdde058420b12e577b182c709e064d89b861acd1f8b"
        );
    }

    #[test]
    fn stale_after_five_seconds_says_so() {
        let r = verify(&signed(SECRET, BODY, TS), BODY, TS + 6, &[SECRET]);
        assert_eq!(r.status, SignatureStatus::Stale);
        assert!(r.reason.contains("5 s"), "{}", r.reason);
    }

    #[test]
    fn api_key_and_missing_h1() {
        let h = signed(SECRET, BODY, TS);
        let r = verify(&h, BODY, TS, &["pdl_live_apikey_01abc"]);
        assert!(r.diagnosis.iter().any(|d| d.code == "wrong_secret"));
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "api_key_not_signing_secret")
        );
        let no_h1 = [H::new("paddle-signature", format!("ts={TS}"))];
        assert_eq!(
            verify(&no_h1, BODY, TS, &[SECRET]).status,
            SignatureStatus::Missing
        );
    }

    #[test]
    fn rotation_any_h1_matches_even_when_not_last() {
        let h1 = |secret: &str| {
            let v = signed(secret, BODY, TS)[0].value_lossy();
            v.split_once(";h1=")
                .map(|(_, s)| s.to_string())
                .unwrap_or_default()
        };
        // The matching signature first, the other last.
        let header = format!("ts={TS};h1={};h1={}", h1(SECRET), h1("pdl_ntfset_new"));
        let h = [H::new("paddle-signature", header)];
        let r = verify(&h, BODY, TS, &["pdl_ntfset_other", SECRET]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1)),
            "{r:?}"
        );
    }

    #[test]
    fn diagnosis_finds_a_reserialised_body() {
        let h = signed(SECRET, BODY, TS);
        let pretty = serde_json::to_vec_pretty(
            &serde_json::from_slice::<serde_json::Value>(BODY).expect("json"),
        )
        .expect("pretty");
        let r = verify(&h, &pretty, TS, &[SECRET]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains)
        );
    }

    #[test]
    fn detection_and_event() {
        let req = Inbound {
            method: "POST",
            url: "",
            headers: &[],
            body: BODY,
            now: 0,
            json: None,
        };
        assert_eq!(Paddle.detect(&req), Confidence::Weak);
        let meta = Paddle.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("transaction.updated"));
        assert_eq!(
            meta.event_id.as_deref(),
            Some("evt_01h8bzakzx3hm2fmen703n5q45")
        );
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Paddle, SECRET, BODY, TS);
        testkit::stale(&Paddle, SECRET, BODY, TS);
    }
}
