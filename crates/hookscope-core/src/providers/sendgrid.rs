//! SendGrid's Signed Event Webhook: `X-Twilio-Email-Event-Webhook-Signature` is a base64,
//! DER-encoded ECDSA P-256/SHA-256 signature over `X-Twilio-Email-Event-Webhook-Timestamp +
//! raw body`. It is asymmetric: the endpoint's "secret" is SendGrid's public verification key
//! (base64 DER SubjectPublicKeyInfo, `MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…`), so nothing can be
//! recomputed for comparison and there is no "expected" value; ECDSA signatures are randomised, so
//! two valid signatures over the same bytes differ. Bodies are JSON arrays of events that end in
//! `\r\n`, which makes line-ending rewrites a common cause of failure. SendGrid documents no
//! timestamp window: the age is reported, never judged.

use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};

use super::common;
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct SendGrid;

const SIGNATURE: &str = "x-twilio-email-event-webhook-signature";
const TIMESTAMP: &str = "x-twilio-email-event-webhook-timestamp";
const RECIPE: &str = "ECDSA P-256 / SHA-256 over timestamp header + raw body, signature base64 \
                      DER, verified with the public verification key";
const SPKI_PREFIX: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE";

static INFO: ProviderInfo = ProviderInfo {
    id: "sendgrid",
    name: "SendGrid (Twilio) Event Webhook",
    docs_url: "https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features",
    scheme: "X-Twilio-Email-Event-Webhook-Signature = base64(DER(ECDSA-P256-SHA256(timestamp + \
             raw body))); asymmetric",
    signature_headers: &[SIGNATURE, TIMESTAMP],
    secret_kind: "the Signed Event Webhook's public verification key (base64 DER, starts \
                  `MFkw…`), not an API key; signing needs a P-256 private key",
    retries: "non-2xx responses are retried for up to 24 h (unconfirmed)",
    tolerance_secs: None,
};

/// What a configured secret turned out to be.
enum Key {
    Public(VerifyingKey),
    /// A private key where the public one belongs; its public half still verifies.
    Private(VerifyingKey),
    /// A SendGrid API key (`SG.…`).
    Api,
    NotBase64,
    /// Decodes, but to no P-256 key: how many bytes it decoded to.
    Unrecognised(usize),
}

/// PEM armour stripped, then base64-decoded.
fn der_of(text: &str) -> Option<Vec<u8>> {
    let body: String = text
        .trim()
        .lines()
        .filter(|l| !l.trim_start().starts_with("-----"))
        .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
        .collect();
    common::decode_base64_any(&body)
}

fn private_key(der: &[u8]) -> Option<SigningKey> {
    SigningKey::from_pkcs8_der(der).ok().or_else(|| {
        p256::SecretKey::from_sec1_der(der)
            .ok()
            .map(SigningKey::from)
    })
}

fn classify(secret: &str) -> Key {
    if secret.trim().starts_with("SG.") {
        return Key::Api;
    }
    let Some(der) = der_of(secret) else {
        return Key::NotBase64;
    };
    if let Ok(key) = VerifyingKey::from_public_key_der(&der) {
        return Key::Public(key);
    }
    if let Some(key) = private_key(&der) {
        return Key::Private(*key.verifying_key());
    }
    match VerifyingKey::from_sec1_bytes(&der) {
        Ok(key) => Key::Public(key),
        Err(_) => Key::Unrecognised(der.len()),
    }
}

fn message(ts: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(ts.len() + body.len());
    msg.extend_from_slice(ts.as_bytes());
    msg.extend_from_slice(body);
    msg
}

fn key_finding(index: usize, key: &Key, verifies: bool) -> Option<Diagnosis> {
    let (code, message) = match key {
        Key::Public(_) => return None,
        Key::Private(_) => (
            "private_key_not_public",
            format!(
                "secret {index} is a P-256 private key; SendGrid verification uses the public \
                 verification key{}",
                if verifies {
                    " (its public half does verify this request: store that instead)"
                } else {
                    ", and this one's public half does not verify the request either"
                }
            ),
        ),
        Key::Api => (
            "api_key_not_signing_secret",
            format!(
                "secret {index} starts with `SG.`, a SendGrid API key; paste the Signed Event \
                 Webhook's verification key (Settings → Mail Settings → Event Webhook)"
            ),
        ),
        Key::NotBase64 => (
            "key_not_base64",
            format!(
                "secret {index} is neither base64 nor PEM; the verification key is base64 text \
                 starting `{SPKI_PREFIX}`"
            ),
        ),
        Key::Unrecognised(len) => (
            "key_wrong_format",
            format!(
                "secret {index} decodes to {len} bytes that are not a P-256 public key; SendGrid's \
                 key is a 91-byte SubjectPublicKeyInfo whose base64 starts `{SPKI_PREFIX}`"
            ),
        ),
    };
    Some(Diagnosis {
        code: code.into(),
        message,
        explains: matches!(key, Key::Private(_)) && verifies,
    })
}

impl Provider for SendGrid {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header(SIGNATURE).is_some() || req.header(TIMESTAMP).is_some() {
            return Confidence::Strong;
        }
        let body = common::body_json(req);
        let shaped = body
            .as_ref()
            .and_then(|v| v.as_array())
            .and_then(|events| events.first())
            .is_some_and(|e| e.get("sg_event_id").is_some() || e.get("sg_message_id").is_some());
        if shaped {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let body = common::body_json(req);
        let events = body.as_ref().and_then(|v| v.as_array());
        let mut kinds: Vec<&str> = Vec::new();
        for kind in events
            .into_iter()
            .flatten()
            .filter_map(|e| e.get("event").and_then(|k| k.as_str()))
        {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        EventMeta {
            event_type: (!kinds.is_empty()).then(|| kinds.join(", ")),
            event_id: events
                .and_then(|e| e.first())
                .and_then(|e| e.get("sg_event_id"))
                .and_then(|id| id.as_str())
                .map(str::to_owned),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let mut report = common::bare_report(SignatureStatus::Invalid, "");
        report.recipe = Some(RECIPE.into());
        if secrets.is_empty() {
            report.status = SignatureStatus::NoSecret;
            report.reason = "no verification key configured: add the Signed Event Webhook's \
                             public verification key (Settings → Mail Settings → Event Webhook)"
                .into();
            return report;
        }
        let received = req
            .header(SIGNATURE)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let (Some(received), Some(ts)) = (received, req.header(TIMESTAMP).map(str::trim)) else {
            report.status = SignatureStatus::Missing;
            report.reason = "expected X-Twilio-Email-Event-Webhook-Signature and \
                             X-Twilio-Email-Event-Webhook-Timestamp headers (is Signed Event \
                             Webhook enabled?)"
                .into();
            return report;
        };
        report.received = Some(received.to_owned());
        let Some(sig) =
            common::decode_base64_any(received).and_then(|d| Signature::from_der(&d).ok())
        else {
            report.status = SignatureStatus::Missing;
            report.reason = "X-Twilio-Email-Event-Webhook-Signature is not a base64 DER ECDSA \
                             signature"
                .into();
            return report;
        };
        if let Ok(t) = ts.parse::<i64>() {
            report.timestamp_age_secs = Some(req.now.saturating_sub(t));
        }
        let verifies =
            |key: &VerifyingKey, body: &[u8]| key.verify(&message(ts, body), &sig).is_ok();
        let keys: Vec<Key> = secrets.iter().map(|s| classify(s)).collect();
        let hit = keys
            .iter()
            .position(|k| matches!(k, Key::Public(key) if verifies(key, req.body)));
        if let Some(i) = hit {
            report.status = SignatureStatus::Valid;
            report.reason = "the ECDSA signature verifies with the verification key".into();
            report.secret_index = Some(i);
            return report;
        }
        report.reason = if keys.iter().any(|k| matches!(k, Key::Public(_))) {
            "the signature does not verify with any configured verification key".into()
        } else {
            "none of the configured secrets is a P-256 public verification key".into()
        };
        // Secret variants cannot apply to a public key; body variants still do.
        let check = |key: &[u8], body: &[u8]| {
            std::str::from_utf8(key)
                .ok()
                .is_some_and(|k| matches!(classify(k), Key::Public(vk) if verifies(&vk, body)))
        };
        let public: Vec<String> = secrets
            .iter()
            .zip(&keys)
            .filter(|(_, k)| matches!(k, Key::Public(_)))
            .map(|(s, _)| s.trim().to_owned())
            .collect();
        let mut findings: Vec<Diagnosis> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let ok = matches!(k, Key::Private(vk) if verifies(vk, req.body));
                key_finding(i, k, ok)
            })
            .collect();
        if !public.is_empty() {
            findings.extend(
                common::diagnose(&public, req.body, check)
                    .into_iter()
                    .filter(|d| !d.code.starts_with("secret_")),
            );
        }
        findings.sort_by_key(|d| !d.explains);
        report.diagnosis = findings;
        report
    }

    /// Signing needs a P-256 private key (PKCS#8 or SEC1, PEM or base64 DER). The endpoint's
    /// usual secret, SendGrid's public key, cannot sign: say so rather than pretend.
    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let key = der_of(input.secret).and_then(|der| private_key(&der));
        let Some(key) = key else {
            return Err(match classify(input.secret) {
                Key::Public(_) => SignError::Unsupported(
                    "sendgrid",
                    "the secret is a public verification key, which can only verify; SendGrid \
                     signs with a private key it never shares. Sign with a P-256 private key \
                     (PKCS#8 or SEC1) and give the receiver its public key"
                        .into(),
                ),
                _ => SignError::BadSecret(
                    "expected a P-256 private key as PKCS#8 or SEC1, in PEM or base64 DER".into(),
                ),
            });
        };
        let ts = input.timestamp.to_string();
        let sig: Signature = key.sign(&message(&ts, input.body));
        Ok(vec![
            (
                "X-Twilio-Email-Event-Webhook-Signature".into(),
                common::encode(common::Enc::Base64, sig.to_der().as_bytes()),
            ),
            ("X-Twilio-Email-Event-Webhook-Timestamp".into(), ts),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;
    use p256::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};

    // The vector in sendgrid-nodejs packages/eventwebhook/src/eventwebhook.spec.js.
    const SDK_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
    const SDK_OTHER_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
    const SDK_SIG: &str = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
    const SDK_TS: &str = "1588788367";
    const SDK_BODY: &[u8] =
        br#"{"category":"example_payload","event":"test_event","message_id":"message_id"}"#;
    const BODY: &[u8] =
        b"[{\"email\":\"a@example.test\",\"event\":\"delivered\",\"sg_event_id\":\"ev1\"}]\r\n";

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str]) -> SignatureReport {
        SendGrid.verify(
            &testkit::request(testkit::URL, headers, body, 1_588_788_400),
            &testkit::secrets(secrets),
        )
    }

    fn sdk_headers(sig: &str, ts: &str) -> Vec<Header> {
        vec![Header::new(SIGNATURE, sig), Header::new(TIMESTAMP, ts)]
    }

    /// A fixed test key: (PKCS#8 private base64, SPKI public base64).
    fn test_key(byte: u8) -> (String, String, SigningKey) {
        let key = SigningKey::from_slice(&[byte; 32]).expect("valid scalar");
        let private = key.to_pkcs8_der().expect("encodes");
        let public = key.verifying_key().to_public_key_der().expect("encodes");
        (
            common::encode(common::Enc::Base64, private.as_bytes()),
            common::encode(common::Enc::Base64, public.as_bytes()),
            key,
        )
    }

    fn signed(private: &str, body: &[u8], ts: i64) -> Vec<Header> {
        let input = SignInput {
            secret: private,
            body,
            timestamp: ts,
            url: "",
            method: "POST",
            headers: &[],
        };
        SendGrid
            .sign(&input)
            .expect("a private key signs")
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect()
    }

    #[test]
    fn published_sdk_vector() {
        let ok = verify(&sdk_headers(SDK_SIG, SDK_TS), SDK_BODY, &[SDK_KEY]);
        assert_eq!(ok.status, SignatureStatus::Valid, "{ok:?}");
        assert_eq!(ok.timestamp_age_secs, Some(33));
        let cases = [
            (sdk_headers(SDK_SIG, SDK_TS), &b"payload"[..], SDK_KEY),
            (sdk_headers(SDK_SIG, SDK_TS), SDK_BODY, SDK_OTHER_KEY),
            (sdk_headers(SDK_SIG, "timestamp"), SDK_BODY, SDK_KEY),
            (
                sdk_headers(&SDK_SIG.replace("NH2j", "NH3j"), SDK_TS),
                SDK_BODY,
                SDK_KEY,
            ),
        ];
        for (headers, body, key) in cases {
            assert_eq!(
                verify(&headers, body, &[key]).status,
                SignatureStatus::Invalid
            );
        }
    }

    #[test]
    fn pem_public_keys_are_accepted() {
        let pem = format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----\n",
            &SDK_KEY[..64],
            &SDK_KEY[64..]
        );
        let r = verify(&sdk_headers(SDK_SIG, SDK_TS), SDK_BODY, &[&pem]);
        assert_eq!(r.status, SignatureStatus::Valid);
    }

    #[test]
    fn round_trip_tamper_wrong_key_and_rotation() {
        let (private, public, _) = test_key(7);
        let (_, other_public, _) = test_key(9);
        let headers = signed(&private, BODY, 1_588_788_400);
        assert_eq!(
            verify(&headers, BODY, &[&public]).status,
            SignatureStatus::Valid
        );
        assert_eq!(
            verify(&headers, b"[]\r\n", &[&public]).status,
            SignatureStatus::Invalid
        );
        assert_eq!(
            verify(&headers, BODY, &[&other_public]).status,
            SignatureStatus::Invalid
        );
        let r = verify(&headers, BODY, &[&other_public, &public]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        assert!(r.expected.is_none());
    }

    #[test]
    fn sec1_private_keys_sign_and_public_keys_cannot() {
        let (_, public, key) = test_key(5);
        let sec1 = p256::SecretKey::from(&key).to_sec1_der().expect("encodes");
        let sec1 = common::encode(common::Enc::Base64, &sec1);
        let headers = signed(&sec1, BODY, 1);
        assert_eq!(
            verify(&headers, BODY, &[&public]).status,
            SignatureStatus::Valid
        );
        let input = SignInput {
            secret: &public,
            body: BODY,
            timestamp: 1,
            url: "",
            method: "POST",
            headers: &[],
        };
        assert!(matches!(
            SendGrid.sign(&input),
            Err(SignError::Unsupported(..))
        ));
        let junk = SignInput {
            secret: "nope",
            ..input
        };
        assert!(matches!(SendGrid.sign(&junk), Err(SignError::BadSecret(_))));
    }

    #[test]
    fn missing_and_no_secret() {
        assert_eq!(
            verify(&[], BODY, &[SDK_KEY]).status,
            SignatureStatus::Missing
        );
        let garbage = sdk_headers("not a signature!", SDK_TS);
        assert_eq!(
            verify(&garbage, BODY, &[SDK_KEY]).status,
            SignatureStatus::Missing
        );
        assert_eq!(
            verify(&sdk_headers(SDK_SIG, SDK_TS), SDK_BODY, &[]).status,
            SignatureStatus::NoSecret
        );
    }

    #[test]
    fn diagnosis_explains_line_endings_and_wrong_keys() {
        let (private, public, _) = test_key(3);
        let headers = signed(&private, BODY, 1_588_788_400);
        let lf = String::from_utf8_lossy(BODY).replace("\r\n", "\n");
        let r = verify(&headers, lf.as_bytes(), &[&public]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.explains && d.code.starts_with("body_")),
            "{:?}",
            r.diagnosis
        );

        let r = verify(&headers, BODY, &[&private]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert_eq!(r.diagnosis[0].code, "private_key_not_public");
        assert!(r.diagnosis[0].explains);

        let r = verify(&headers, BODY, &["SG.abc.def", "!!!", "AAAA"]);
        let codes: Vec<&str> = r.diagnosis.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "api_key_not_signing_secret",
                "key_not_base64",
                "key_wrong_format"
            ]
        );
        assert!(r.diagnosis[2].message.contains("3 bytes"));
    }

    #[test]
    fn event_and_detection() {
        let two = b"[{\"event\":\"open\",\"sg_event_id\":\"a\"},{\"event\":\"click\",\"sg_event_id\":\"b\"},{\"event\":\"open\"}]\r\n";
        let req = Inbound {
            method: "POST",
            url: "",
            headers: &[],
            body: two,
            now: 0,
            json: None,
        };
        assert_eq!(SendGrid.detect(&req), Confidence::Weak);
        let meta = SendGrid.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("open, click"));
        assert_eq!(meta.event_id.as_deref(), Some("a"));
        let none = Inbound {
            body: b"\xff",
            ..req
        };
        assert_eq!(SendGrid.detect(&none), Confidence::No);
        assert_eq!(SendGrid.event(&none), EventMeta::default());
    }
}
