//! Sentry integration platform: `Sentry-Hook-Signature` is hex HMAC-SHA256 of the raw body with
//! the integration's Client Secret. UI-component requests (`select_options.requested`,
//! `external_issue.*`, `alert_rule_action.requested`) carry `Sentry-App-Signature` instead and may
//! have an empty body, whose signature is the HMAC of `""`. `Sentry-Hook-Timestamp` is **not**
//! signed, so it cannot be enforced. Sentry serialises JSON with `\uXXXX` escapes, so a
//! re-serialised body breaks the signature on any non-ASCII text.

use super::common::{self, Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
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

static HOOK: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "Sentry-Hook-Signature",
    prefix: "",
    message: Message::Body,
    tolerance_secs: None,
    recipe: "Sentry-Hook-Signature: hex(HMAC-SHA256(client secret, body))",
    no_secret: "configure the Sentry integration's Client Secret to verify Sentry-Hook-Signature",
    missing: "no Sentry-Hook-Signature (or Sentry-App-Signature) header",
};

/// UI-component requests: the same MAC in another header.
static APP: HmacScheme = HmacScheme {
    header: "Sentry-App-Signature",
    recipe: "Sentry-App-Signature: hex(HMAC-SHA256(client secret, body))",
    ..HOOK
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
        if let Some(report) = HOOK.no_secret(secrets) {
            return report;
        }
        if req.header(HOOK.header).is_none() && req.header(APP.header).is_some() {
            APP.verify(req, secrets)
        } else {
            HOOK.verify(req, secrets)
        }
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let mut headers = HOOK.sign(input);
        headers.push(("Sentry-Hook-Timestamp".into(), input.timestamp.to_string()));
        Ok(headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::SignatureStatus;
    use crate::providers::testkit::{self, inbound, signed};

    const NOW: i64 = 1_700_000_000;
    const BODY: &[u8] =
        "{\"action\":\"created\",\"data\":{\"issue\":{\"title\":\"caf\\u00e9\"}}}".as_bytes();

    #[test]
    fn empty_body_ui_component_signature() {
        // HMAC-SHA256 of the empty string under "secret", as computed by Python's hmac module.
        let headers = [Header::new(
            "sentry-app-signature",
            "f9e66e179b6747ae54108f82f8ade8b3c25d76fd30afde6c395822c530196169",
        )];
        let r = Sentry.verify(&inbound(&headers, b"", NOW), &["secret".into()]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Sentry, "cs", BODY, NOW);
    }

    #[test]
    fn event_and_detection() {
        let mut headers = signed(&Sentry, "cs", BODY, NOW);
        headers.push(Header::new("sentry-hook-resource", "issue"));
        headers.push(Header::new("request-id", "req-1"));
        let req = inbound(&headers, BODY, NOW);
        assert_eq!(
            Sentry.verify(&req, &["cs".into()]).status,
            SignatureStatus::Valid
        );
        let meta = Sentry.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("issue.created"));
        assert_eq!(meta.event_id.as_deref(), Some("req-1"));
        assert_eq!(Sentry.detect(&req), Confidence::Strong);
    }

    #[test]
    fn reserialised_body() {
        // JSON.stringify-style re-serialisation turns `\u00e9` into `é`.
        let headers = signed(&Sentry, "cs", BODY, NOW);
        let reserialised = "{\"action\":\"created\",\"data\":{\"issue\":{\"title\":\"café\"}}}";
        let r = Sentry.verify(
            &inbound(&headers, reserialised.as_bytes(), NOW),
            &["cs".into()],
        );
        assert_eq!(r.status, SignatureStatus::Invalid);
        let sig = signed(&Sentry, "cs", reserialised.as_bytes(), NOW);
        let r = Sentry.verify(&inbound(&sig, BODY, NOW), &["cs".into()]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains),
            "{r:?}"
        );
    }
}
