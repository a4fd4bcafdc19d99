//! Vercel: `x-vercel-signature` is hex HMAC-**SHA1** (not SHA-256) of the raw body. The key is
//! the webhook's own secret (shown once at creation) or, for webhooks of an Integration, the
//! integration's Client Secret — pasting the other one is the usual mistake.

use super::common::{self, Alg, Enc, hmac};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Vercel;

static INFO: ProviderInfo = ProviderInfo {
    id: "vercel",
    name: "Vercel",
    docs_url: "https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks",
    scheme: "x-vercel-signature: hex(HMAC-SHA1(secret, raw body))",
    signature_headers: &["x-vercel-signature"],
    secret_kind: "the webhook's secret (shown once when created), or the Integration's Client Secret",
    retries: "retried with backoff on failure (schedule not documented)",
    tolerance_secs: None,
};

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha1,
    enc: Enc::Hex,
    header: "x-vercel-signature",
    prefix: "",
    message: Message::Body,
    tolerance_secs: None,
    recipe: "hex(HMAC-SHA1(secret, body))",
    no_secret: "configure the Vercel webhook secret (or the Integration's Client Secret) to verify \
                x-vercel-signature",
    missing: "no x-vercel-signature header",
};

impl Provider for Vercel {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header("x-vercel-signature").is_some() {
            Confidence::Strong
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        common::body_event(req, "/type", "/id")
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let sig = req.header(SCHEME.header).map(str::trim).unwrap_or_default();
        let mut report = SCHEME.verify_with(req, secrets, || {
            let sha256 = secrets.iter().any(|s| {
                common::signature_matches(Enc::Hex, &hmac(Alg::Sha256, s.as_bytes(), req.body), sig)
            });
            if sha256 {
                vec![Diagnosis {
                    code: "wrong_algorithm".into(),
                    message: "the signature is HMAC-SHA256; Vercel signs with HMAC-SHA1".into(),
                    explains: true,
                }]
            } else {
                Vec::new()
            }
        });
        if report.status == SignatureStatus::Invalid && !report.diagnosis.iter().any(|d| d.explains)
        {
            report.diagnosis.insert(
                0,
                Diagnosis {
                    code: "integration_client_secret".into(),
                    message: "webhooks created by an Integration are signed with the \
                              Integration's Client Secret, account webhooks with their own \
                              secret: check which one this endpoint needs"
                        .into(),
                    explains: false,
                },
            );
        }
        report
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Ok(SCHEME.sign(input))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit::{self, inbound, signed};

    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] =
        br#"{"createdAt":1700000000000,"id":"evt_1","payload":{},"type":"deployment.created"}"#;

    #[test]
    fn rfc2202_sha1_vector_through_the_scheme() {
        // RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?").
        let headers = [Header::new(
            "x-vercel-signature",
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        )];
        let r = Vercel.verify(
            &inbound(&headers, b"what do ya want for nothing?", NOW),
            &["Jefe".into()],
        );
        assert_eq!(r.status, SignatureStatus::Valid);
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Vercel, "whk", BODY, NOW);
    }

    #[test]
    fn wrong_secret_points_at_the_integration_secret_and_event() {
        let headers = signed(&Vercel, "whk", BODY, NOW);
        let wrong = Vercel.verify(&inbound(&headers, BODY, NOW), &["other".into()]);
        assert_eq!(wrong.status, SignatureStatus::Invalid);
        assert!(
            wrong
                .diagnosis
                .iter()
                .any(|d| d.code == "integration_client_secret")
        );
        let meta = Vercel.event(&inbound(&headers, BODY, NOW));
        assert_eq!(meta.event_type.as_deref(), Some("deployment.created"));
        assert_eq!(meta.event_id.as_deref(), Some("evt_1"));
    }

    #[test]
    fn diagnoses_sha256_and_reserialised_body() {
        let sha256 = [Header::new(
            "x-vercel-signature",
            hex::encode(hmac(Alg::Sha256, b"whk", BODY)),
        )];
        let r = Vercel.verify(&inbound(&sha256, BODY, NOW), &["whk".into()]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "wrong_algorithm" && d.explains)
        );
        let pretty = serde_json::to_vec_pretty(
            &serde_json::from_slice::<serde_json::Value>(BODY).unwrap_or_default(),
        )
        .unwrap_or_default();
        let headers = signed(&Vercel, "whk", BODY, NOW);
        let r = Vercel.verify(&inbound(&headers, &pretty, NOW), &["whk".into()]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains)
        );
    }
}
