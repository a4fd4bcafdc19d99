//! Standard Webhooks (Svix and its customers: Clerk, Resend, …): `webhook-signature` carries a
//! space-separated list of `v1,<base64>` entries, each base64(HMAC-SHA256(key, msg_id + "." +
//! timestamp + "." + body)), with `webhook-id` and `webhook-timestamp` (Unix seconds) beside it.
//! Svix-hosted senders use the `svix-id` / `svix-timestamp` / `svix-signature` names for the same
//! thing. The secret is `whsec_` + base64 of the key: unlike Stripe's lookalike, the part after
//! the prefix is base64-decoded to get the key bytes. Several entries appear during a rotation and
//! any `v1` may match; `v1a` (Ed25519) entries are not verified here. The reference libraries allow
//! 5 minutes in both directions.

use sha2::Digest as _;

use super::common::{self, Alg, Enc, Parsed};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};
use crate::model::Header;

pub struct StandardWebhooks;

const TOLERANCE_SECS: i64 = 300;
pub(super) const RECIPE: &str = "base64(HMAC-SHA256(base64-decoded secret after `whsec_`, \
                                 \"{webhook-id}.{webhook-timestamp}.{body}\")) as `v1,…` in \
                                 webhook-signature (space-separated list)";

static INFO: ProviderInfo = ProviderInfo {
    id: "standard-webhooks",
    name: "Standard Webhooks",
    docs_url: "https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md",
    scheme: "HMAC-SHA256 base64 over `{id}.{timestamp}.{body}`; `v1,<sig>` entries, \
             space-separated; Svix-hosted senders use `svix-*` header names",
    signature_headers: &[
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "svix-id",
        "svix-timestamp",
        "svix-signature",
    ],
    secret_kind: "the endpoint's signing secret, `whsec_` + base64 of the key",
    retries: "Svix/Clerk/Resend: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; an \
              attempt slower than 15 s fails; endpoints are disabled after 5 days of failures",
    tolerance_secs: Some(TOLERANCE_SECS),
};

/// The three headers of one naming (`webhook-*` or `svix-*`).
pub(super) struct SwHeaders<'a> {
    pub prefix: &'static str,
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

pub(super) fn headers<'a>(req: &Inbound<'a>) -> SwHeaders<'a> {
    let prefix =
        if req.header("webhook-signature").is_some() || req.header("svix-signature").is_none() {
            "webhook"
        } else {
            "svix"
        };
    SwHeaders {
        prefix,
        id: req.header(&format!("{prefix}-id")),
        timestamp: req.header(&format!("{prefix}-timestamp")).map(str::trim),
        signature: req.header(&format!("{prefix}-signature")),
    }
}

/// The key bytes of a `whsec_…` secret (the prefix is optional, as in the reference libraries).
pub(super) fn key_of(secret: &str) -> Option<Vec<u8>> {
    let s = secret.trim();
    let b64 = s.strip_prefix("whsec_").unwrap_or(s);
    common::decode_base64_any(b64).filter(|k| !k.is_empty())
}

pub(super) fn mac(key: &[u8], id: &str, ts: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = format!("{id}.{ts}.").into_bytes();
    msg.extend_from_slice(body);
    common::hmac(Alg::Sha256, key, &msg)
}

/// The `v1` signatures of a signature header; other versions are skipped.
pub(super) fn v1_entries(value: &str) -> Vec<&str> {
    value
        .split_whitespace()
        .filter_map(|e| e.strip_prefix("v1,"))
        .collect()
}

/// Verify a Standard Webhooks request with `key_of` turning secrets into keys; shared with GitLab,
/// whose signing token follows this scheme.
pub(super) fn verify_with(
    provider: &'static str,
    req: &Inbound<'_>,
    secrets: &[String],
    key_of: impl Fn(&str) -> Option<Vec<u8>>,
) -> SignatureReport {
    let h = headers(req);
    let p = h.prefix;
    let Some(raw) = h.signature else {
        return common::bare_report(
            SignatureStatus::Missing,
            format!("no `{p}-signature` header"),
        )
        .with_recipe(RECIPE);
    };
    let (Some(id), Some(ts)) = (h.id, h.timestamp.filter(|t| t.parse::<i64>().is_ok())) else {
        return common::bare_report(
            SignatureStatus::Missing,
            format!("`{p}-id` is absent, or `{p}-timestamp` is absent or not a number"),
        )
        .with_recipe(RECIPE);
    };
    let sigs = v1_entries(raw);
    if sigs.is_empty() {
        let asymmetric = raw.split_whitespace().any(|e| e.starts_with("v1a,"));
        return if asymmetric {
            common::bare_report(
                SignatureStatus::Unsupported,
                "only `v1a` (Ed25519) signatures: asymmetric verification is not supported here",
            )
            .with_recipe(RECIPE)
        } else {
            common::bare_report(
                SignatureStatus::Missing,
                format!("`{p}-signature` has no `v1,` entry"),
            )
            .with_recipe(RECIPE)
        };
    }
    let check = |key: &[u8], body: &[u8]| {
        let computed = mac(key, id, ts, body);
        sigs.iter()
            .any(|s| common::signature_matches(Enc::Base64, &computed, s))
    };
    common::verify_symmetric(
        Parsed {
            provider,
            recipe: RECIPE,
            received: raw.into(),
            body: req.body,
            timestamp: ts.parse().ok(),
            tolerance_secs: Some(TOLERANCE_SECS),
            now: req.now,
        },
        secrets,
        &key_of,
        check,
        |key| {
            format!(
                "v1,{}",
                common::encode(Enc::Base64, &mac(key, id, ts, req.body))
            )
        },
        || key_findings(secrets, &key_of, |k| check(k, req.body)),
    )
}

/// Secrets that yield no key, and senders that skip the decoding and key the HMAC with the secret
/// text itself.
fn key_findings(
    secrets: &[String],
    key_of: impl Fn(&str) -> Option<Vec<u8>>,
    matches: impl Fn(&[u8]) -> bool,
) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    if secrets.iter().any(|s| matches(s.trim().as_bytes())) {
        out.push(Diagnosis {
            code: "secret_not_decoded".into(),
            message: "the sender used the whole secret text as the key, without base64-decoding \
                      it: that sender does not follow the Standard Webhooks key format"
                .into(),
            explains: true,
        });
    }
    for (i, _) in secrets
        .iter()
        .enumerate()
        .filter(|(_, s)| key_of(s).is_none())
    {
        out.push(Diagnosis {
            code: "secret_undecodable".into(),
            message: format!(
                "secret #{} is not `whsec_` followed by base64, so it yields no key",
                i + 1
            ),
            explains: false,
        });
    }
    out
}

/// The signing headers for `input`, named with `prefix` (`webhook` or `svix`), keeping an id the
/// request already has.
pub(super) fn sign_with(input: &SignInput<'_>, key: &[u8], prefix: &str) -> Vec<(String, String)> {
    let existing = input.headers.iter().find(|h: &&Header| {
        h.name.eq_ignore_ascii_case("webhook-id") || h.name.eq_ignore_ascii_case("svix-id")
    });
    let id = match existing.map(Header::value_lossy) {
        Some(id) if !id.trim().is_empty() => id.trim().to_string(),
        _ => {
            // Deterministic, so re-signing the same body at the same second gives the same id.
            let mut hasher = sha2::Sha256::new();
            hasher.update(input.timestamp.to_string().as_bytes());
            hasher.update(input.body);
            let digest = hasher.finalize();
            format!("msg_{}", hex::encode(digest.get(..12).unwrap_or_default()))
        }
    };
    let ts = input.timestamp.to_string();
    let sig = common::encode(Enc::Base64, &mac(key, &id, &ts, input.body));
    vec![
        (format!("{prefix}-id"), id),
        (format!("{prefix}-timestamp"), ts),
        (format!("{prefix}-signature"), format!("v1,{sig}")),
    ]
}

impl Provider for StandardWebhooks {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        let svix = req.header("svix-signature").is_some() || req.header("svix-id").is_some();
        let full = ["webhook-id", "webhook-timestamp", "webhook-signature"]
            .iter()
            .all(|n| req.header(n).is_some());
        if svix || full {
            Confidence::Strong
        } else if req.header("webhook-signature").is_some() {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        EventMeta {
            event_type: common::body_field(req, &["type"]),
            event_id: headers(req).id.map(str::to_string),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return common::bare_report(
                SignatureStatus::NoSecret,
                "no secret: add the endpoint's signing secret (`whsec_…`, from the sender's \
                 webhook settings or the Svix app portal)",
            )
            .with_recipe(RECIPE);
        }
        verify_with(INFO.name, req, secrets, key_of)
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let key = key_of(input.secret).ok_or_else(|| {
            SignError::BadSecret("expected `whsec_` followed by the base64 of the key".into())
        })?;
        let svix = input
            .headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("svix-signature"));
        Ok(sign_with(
            input,
            &key,
            if svix { "svix" } else { "webhook" },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header as H;
    use crate::providers::testkit;

    // The spec's example (standard-webhooks/standard-webhooks, also in the libraries' tests).
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TS: i64 = 1_614_265_330;
    const SPEC_BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SPEC_SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn spec_headers(prefix: &str, sig: &str) -> Vec<H> {
        vec![
            H::new(format!("{prefix}-id"), SPEC_ID),
            H::new(format!("{prefix}-timestamp"), SPEC_TS.to_string()),
            H::new(format!("{prefix}-signature"), sig),
        ]
    }

    fn verify(headers: &[H], body: &[u8], now: i64, secrets: &[&str]) -> SignatureReport {
        StandardWebhooks.verify(
            &testkit::request(testkit::URL, headers, body, now),
            &testkit::secrets(secrets),
        )
    }

    fn sign(secret: &str, body: &[u8], ts: i64, original: &[H]) -> Result<Vec<H>, SignError> {
        let input = SignInput {
            secret,
            body,
            timestamp: ts,
            url: "",
            method: "POST",
            headers: original,
        };
        Ok(StandardWebhooks
            .sign(&input)?
            .into_iter()
            .map(|(n, v)| H::new(n, v))
            .collect())
    }

    #[test]
    fn spec_vector_verifies_under_both_header_namings_and_signs() {
        for prefix in ["webhook", "svix"] {
            let r = verify(
                &spec_headers(prefix, SPEC_SIG),
                SPEC_BODY,
                SPEC_TS,
                &[SPEC_SECRET],
            );
            assert_eq!(r.status, SignatureStatus::Valid, "{prefix}: {r:?}");
            assert_eq!(r.expected.as_deref(), Some(SPEC_SIG));
        }
        let original = [H::new("webhook-id", SPEC_ID)];
        let out = sign(SPEC_SECRET, SPEC_BODY, SPEC_TS, &original).expect("sign");
        assert_eq!(out, spec_headers("webhook", SPEC_SIG));
    }

    #[test]
    fn any_v1_in_a_space_separated_list_matches_and_rotation_sets_the_index() {
        let list = format!("v1a,AAAA v1,Zm9vYmFy {SPEC_SIG}");
        let r = verify(
            &spec_headers("webhook", &list),
            SPEC_BODY,
            SPEC_TS,
            &["whsec_b3RoZXJrZXlvdGhlcmtleQ==", SPEC_SECRET],
        );
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
    }

    #[test]
    fn a_future_timestamp_is_clock_skew() {
        let h = spec_headers("webhook", SPEC_SIG);
        let r = verify(&h, SPEC_BODY, SPEC_TS - 301, &[SPEC_SECRET]);
        assert_eq!(r.status, SignatureStatus::Stale);
        assert!(r.diagnosis.iter().any(|d| d.code == "clock_skew"));
    }

    #[test]
    fn missing_signature_and_unsupported_v1a() {
        let h = spec_headers("webhook", SPEC_SIG);
        assert_eq!(
            verify(&h[..2], SPEC_BODY, SPEC_TS, &[SPEC_SECRET]).status,
            SignatureStatus::Missing
        );
        let ed = spec_headers("webhook", "v1a,AAAA");
        assert_eq!(
            verify(&ed, SPEC_BODY, SPEC_TS, &[SPEC_SECRET]).status,
            SignatureStatus::Unsupported
        );
    }

    #[test]
    fn diagnosis_explains_a_sender_that_did_not_decode_the_secret() {
        let sig = common::encode(
            Enc::Base64,
            &mac(
                SPEC_SECRET.as_bytes(),
                SPEC_ID,
                &SPEC_TS.to_string(),
                SPEC_BODY,
            ),
        );
        let h = spec_headers("webhook", &format!("v1,{sig}"));
        let r = verify(&h, SPEC_BODY, SPEC_TS, &[SPEC_SECRET]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert_eq!(
            r.diagnosis.first().map(|d| d.code.as_str()),
            Some("secret_not_decoded")
        );
    }

    #[test]
    fn diagnosis_uses_the_decoded_key_for_body_variants() {
        // The sender signed the compact form; a proxy pretty-printed it.
        let compact = br#"{"test":2432232314}"#;
        let key = key_of(SPEC_SECRET).expect("key");
        let sig = common::encode(
            Enc::Base64,
            &mac(&key, SPEC_ID, &SPEC_TS.to_string(), compact),
        );
        let h = spec_headers("webhook", &format!("v1,{sig}"));
        let r = verify(&h, b"{\n  \"test\": 2432232314\n}", SPEC_TS, &[SPEC_SECRET]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains),
            "{r:?}"
        );
    }

    #[test]
    fn sign_rejects_an_undecodable_secret_and_keeps_svix_names() {
        assert!(matches!(
            sign("whsec_!!!", SPEC_BODY, SPEC_TS, &[]),
            Err(SignError::BadSecret(_))
        ));
        let original = [H::new("svix-signature", "v1,old")];
        let out = sign(SPEC_SECRET, SPEC_BODY, SPEC_TS, &original).expect("sign");
        assert!(out.iter().all(|h| h.name.starts_with("svix-")));
        let id = out[0].value_lossy();
        assert!(id.starts_with("msg_"));
        // Deterministic id, and the result verifies.
        let again = sign(SPEC_SECRET, SPEC_BODY, SPEC_TS, &original).expect("sign");
        assert_eq!(again, out);
        assert_eq!(
            verify(&out, SPEC_BODY, SPEC_TS, &[SPEC_SECRET]).status,
            SignatureStatus::Valid
        );
    }

    #[test]
    fn detection_and_event() {
        let h = spec_headers("svix", SPEC_SIG);
        let body = br#"{"type":"user.created","data":{}}"#;
        let req = Inbound {
            method: "POST",
            url: "",
            headers: &h,
            body,
            now: 0,
            json: None,
        };
        assert_eq!(StandardWebhooks.detect(&req), Confidence::Strong);
        let meta = StandardWebhooks.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("user.created"));
        assert_eq!(meta.event_id.as_deref(), Some(SPEC_ID));
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&StandardWebhooks, SPEC_SECRET, SPEC_BODY, SPEC_TS);
        testkit::stale(&StandardWebhooks, SPEC_SECRET, SPEC_BODY, SPEC_TS);
    }
}
