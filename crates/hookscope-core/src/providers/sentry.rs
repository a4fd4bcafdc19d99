//! Sentry integration platform: `Sentry-Hook-Signature` is hex HMAC-SHA256 of the raw body with
//! the integration's Client Secret. UI-component requests (`select_options.requested`,
//! `external_issue.*`, `alert_rule_action.requested`) carry `Sentry-App-Signature` instead and may
//! have an empty body, whose signature is the HMAC of `""`. `Sentry-Hook-Timestamp` is **not**
//! signed, so it cannot be enforced. Sentry serialises JSON with `\uXXXX` escapes, so a
//! re-serialised body breaks the signature on any non-ASCII text.

use super::common::{self, Alg, Enc, MacCheck, bare_report, encode, hmac};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
};

pub struct Sentry;

static INFO: ProviderInfo = ProviderInfo {
    id: "sentry",
    name: "Sentry",
    docs_url: "https://docs.sentry.io/organization/integrations/integration-platform/webhooks/",
    scheme: "Sentry-Hook-Signature (UI components: Sentry-App-Signature): hex(HMAC-SHA256(client \
             secret, raw body)); Sentry-Hook-Timestamp is not signed",
    signature_headers: &[
        "Sentry-Hook-Signature",
        "Sentry-App-Signature",
        "Sentry-Hook-Resource",
        "Sentry-Hook-Timestamp",
        "Request-ID",
    ],
    secret_kind: "the integration's Client Secret (Settings → Developer Settings → your integration)",
    retries: "no retries documented; repeated failures can disable the integration's webhooks",
    tolerance_secs: None,
};

impl Provider for Sentry {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if [
            "sentry-hook-signature",
            "sentry-app-signature",
            "sentry-hook-resource",
        ]
        .iter()
        .any(|h| req.header(h).is_some())
        {
            Confidence::Strong
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let action = common::body_json(req)
            .and_then(|b| b.get("action").and_then(|a| a.as_str()).map(str::to_owned));
        let resource = req.header("sentry-hook-resource");
        EventMeta {
            event_type: match (resource, action) {
                (Some(r), Some(a)) => Some(format!("{r}.{a}")),
                (Some(r), None) => Some(r.to_owned()),
                (None, a) => a,
            },
            event_id: req.header("request-id").map(str::to_owned),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return bare_report(
                SignatureStatus::NoSecret,
                "configure the Sentry integration's Client Secret to verify Sentry-Hook-Signature",
            );
        }
        let found = req
            .header("sentry-hook-signature")
            .map(|s| ("Sentry-Hook-Signature", s))
            .or_else(|| {
                req.header("sentry-app-signature")
                    .map(|s| ("Sentry-App-Signature", s))
            });
        let Some((name, sig)) = found else {
            return bare_report(
                SignatureStatus::Missing,
                "no Sentry-Hook-Signature (or Sentry-App-Signature) header",
            );
        };
        let sig = sig.trim();
        MacCheck {
            alg: Alg::Sha256,
            enc: Enc::Hex,
            prefix: "",
            recipe: format!("{name}: hex(HMAC-SHA256(client secret, body))"),
            received_text: sig.to_owned(),
            received: vec![sig],
        }
        .report(secrets, req.body, <[u8]>::to_vec)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let mac = hmac(Alg::Sha256, input.secret.as_bytes(), input.body);
        Ok(vec![
            ("Sentry-Hook-Signature".into(), encode(Enc::Hex, &mac)),
            ("Sentry-Hook-Timestamp".into(), input.timestamp.to_string()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        Inbound {
            method: "POST",
            url: "https://example.test/hook",
            headers,
            body,
            now: 1_700_000_000,
            json: None,
        }
    }

    fn signed(secret: &str, body: &[u8]) -> Vec<Header> {
        let input = SignInput {
            secret,
            body,
            timestamp: 1_700_000_000,
            url: "",
            method: "POST",
            headers: &[],
        };
        Sentry
            .sign(&input)
            .unwrap_or_default()
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect()
    }

    const BODY: &[u8] =
        "{\"action\":\"created\",\"data\":{\"issue\":{\"title\":\"caf\\u00e9\"}}}".as_bytes();

    #[test]
    fn empty_body_ui_component_signature() {
        // HMAC-SHA256 of the empty string under "secret", as computed by Python's hmac module.
        let headers = [Header::new(
            "sentry-app-signature",
            "f9e66e179b6747ae54108f82f8ade8b3c25d76fd30afde6c395822c530196169",
        )];
        let r = Sentry.verify(&inbound(&headers, b""), &["secret".into()]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
    }

    #[test]
    fn sign_verify_tamper_wrong_secret_rotation_event() {
        let mut headers = signed("cs", BODY);
        headers.push(Header::new("sentry-hook-resource", "issue"));
        headers.push(Header::new("request-id", "req-1"));
        let req = inbound(&headers, BODY);
        assert_eq!(
            Sentry.verify(&req, &["cs".into()]).status,
            SignatureStatus::Valid
        );
        assert_eq!(
            Sentry
                .verify(&inbound(&headers, b"{}"), &["cs".into()])
                .status,
            SignatureStatus::Invalid
        );
        assert_eq!(
            Sentry.verify(&req, &["x".into()]).status,
            SignatureStatus::Invalid
        );
        assert_eq!(
            Sentry.verify(&req, &["x".into(), "cs".into()]).secret_index,
            Some(1)
        );
        let meta = Sentry.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("issue.created"));
        assert_eq!(meta.event_id.as_deref(), Some("req-1"));
        assert_eq!(Sentry.detect(&req), Confidence::Strong);
    }

    #[test]
    fn missing_no_secret_and_reserialised_body() {
        assert_eq!(
            Sentry.verify(&inbound(&[], BODY), &["s".into()]).status,
            SignatureStatus::Missing
        );
        assert_eq!(
            Sentry.verify(&inbound(&[], BODY), &[]).status,
            SignatureStatus::NoSecret
        );
        // JSON.stringify-style re-serialisation turns `\u00e9` into `é`.
        let headers = signed("cs", BODY);
        let reserialised = "{\"action\":\"created\",\"data\":{\"issue\":{\"title\":\"café\"}}}";
        let r = Sentry.verify(&inbound(&headers, reserialised.as_bytes()), &["cs".into()]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        let sig = signed("cs", reserialised.as_bytes());
        let r = Sentry.verify(&inbound(&sig, BODY), &["cs".into()]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains),
            "{r:?}"
        );
    }
}
