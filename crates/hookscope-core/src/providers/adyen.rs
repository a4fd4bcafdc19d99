//! Adyen standard webhooks: the HMAC is inside the body, one per notification item, at
//! `notificationItems[].NotificationRequestItem.additionalData.hmacSignature`. It is base64
//! HMAC-SHA256 over eight fields joined with `:` — `pspReference:originalReference:
//! merchantAccountCode:merchantReference:amount.value:amount.currency:eventCode:success` (absent
//! fields are empty, so a missing `originalReference` gives `::`) — keyed with the
//! **hex-decoded** HMAC key. Because the signature covers fields, not bytes, re-serialising the
//! JSON does not break it; changing a value does. Every item is verified. The signature cannot be
//! re-created for a replay without rewriting the body, so signing is unsupported.

use serde_json::Value;

use super::common::{self, Alg, Enc, bare_report, diagnose, encode, hmac, signature_matches};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Adyen;

static INFO: ProviderInfo = ProviderInfo {
    id: "adyen",
    name: "Adyen",
    docs_url: "https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures",
    scheme: "in the body, per item: additionalData.hmacSignature = base64(HMAC-SHA256(hex-decoded \
             key, pspReference:originalReference:merchantAccountCode:merchantReference:value:\
             currency:eventCode:success))",
    signature_headers: &[],
    secret_kind: "the webhook's HMAC key (64 hex characters, Customer Area → Developers → Webhooks)",
    retries: "3 immediate retries (about 9 s, 18 s, 27 s), then a per-endpoint queue retried \
              after 2, 5, 10, 15, 30 min, 1, 2, 4, 8 h and onwards for up to 30 days; answer \
              within 10 s",
    tolerance_secs: None,
};

const RECIPE: &str = "base64(HMAC-SHA256(hex-decoded key, pspReference:originalReference:\
                      merchantAccountCode:merchantReference:amount.value:amount.currency:eventCode:\
                      success)), for every notification item";

/// The notification items of a body, when it has the documented shape.
fn items(body: &[u8]) -> Option<Vec<Value>> {
    items_in(&serde_json::from_slice(body).ok()?)
}

/// [`items`] of a request, from the analysis' shared parse.
fn request_items(req: &Inbound<'_>) -> Option<Vec<Value>> {
    items_in(&*common::body_json(req)?)
}

fn items_in(json: &Value) -> Option<Vec<Value>> {
    let list = json.get("notificationItems")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|i| i.get("NotificationRequestItem").cloned())
            .collect(),
    )
}

fn text(item: &Value, ptr: &str) -> String {
    match item.pointer(ptr) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The colon-joined fields an item's HMAC covers.
fn signed_data(item: &Value) -> String {
    [
        "/pspReference",
        "/originalReference",
        "/merchantAccountCode",
        "/merchantReference",
        "/amount/value",
        "/amount/currency",
        "/eventCode",
        "/success",
    ]
    .iter()
    .map(|p| text(item, p))
    .collect::<Vec<_>>()
    .join(":")
}

fn signature(item: &Value) -> Option<&str> {
    item.pointer("/additionalData/hmacSignature")
        .and_then(Value::as_str)
        .map(str::trim)
}

/// The key bytes for a secret: Adyen's key is hex text; anything else is used as raw bytes so
/// the diagnosis can still try its variants.
fn key_bytes(secret: &[u8]) -> Vec<u8> {
    std::str::from_utf8(secret)
        .ok()
        .and_then(|s| hex::decode(s).ok())
        .unwrap_or_else(|| secret.to_vec())
}

/// Whether every item's signature matches under `key` (raw secret bytes).
fn all_match(key: &[u8], items: &[Value]) -> bool {
    let key = key_bytes(key);
    !items.is_empty()
        && items.iter().all(|item| {
            signature(item).is_some_and(|sig| {
                signature_matches(
                    Enc::Base64,
                    &hmac(Alg::Sha256, &key, signed_data(item).as_bytes()),
                    sig,
                )
            })
        })
}

impl Provider for Adyen {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if request_items(req).is_some_and(|i| !i.is_empty()) {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let first = request_items(req).and_then(|i| i.into_iter().next());
        let Some(item) = first else {
            return EventMeta::default();
        };
        let code = text(&item, "/eventCode");
        let psp = text(&item, "/pspReference");
        EventMeta {
            event_type: (!code.is_empty()).then(|| code.clone()),
            // Adyen sends several event codes for one payment: the pair is the stable key.
            event_id: (!psp.is_empty()).then(|| format!("{psp}:{code}")),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() {
            return bare_report(
                SignatureStatus::NoSecret,
                "configure the webhook's HMAC key (hex, from Adyen's Customer Area) to verify \
                 additionalData.hmacSignature",
            );
        }
        let items = request_items(req).unwrap_or_default();
        let unsigned: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| signature(i).is_none())
            .map(|(n, _)| n + 1)
            .collect();
        if items.is_empty() || unsigned.len() == items.len() {
            return SignatureReport {
                recipe: Some(RECIPE.into()),
                ..bare_report(
                    SignatureStatus::Missing,
                    "no notificationItems[].NotificationRequestItem.additionalData.hmacSignature \
                     in the body: enable HMAC signing on the Adyen webhook",
                )
            };
        }
        let received = items
            .iter()
            .map(|i| signature(i).unwrap_or("(none)"))
            .collect::<Vec<_>>()
            .join(", ");
        let expected = secrets.first().map(|s| {
            let key = key_bytes(s.as_bytes());
            items
                .iter()
                .map(|i| {
                    encode(
                        Enc::Base64,
                        &hmac(Alg::Sha256, &key, signed_data(i).as_bytes()),
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        });
        let mut report = match secrets.iter().position(|s| all_match(s.as_bytes(), &items)) {
            Some(i) => SignatureReport {
                secret_index: Some(i),
                ..bare_report(
                    SignatureStatus::Valid,
                    format!("all {} item HMAC(s) match key #{}", items.len(), i + 1),
                )
            },
            None => {
                let mut diagnosis = Vec::new();
                if !unsigned.is_empty() {
                    diagnosis.push(Diagnosis {
                        code: "item_unsigned".into(),
                        message: format!(
                            "notification item(s) {unsigned:?} carry no hmacSignature"
                        ),
                        explains: true,
                    });
                }
                for (n, s) in secrets.iter().enumerate() {
                    if hex::decode(s.trim()).is_err() {
                        diagnosis.push(Diagnosis {
                            code: "secret_not_hex".into(),
                            message: format!(
                                "key #{} is not hex: Adyen's HMAC key is 64 hex characters and is \
                                 hex-decoded before use (an API key or password will not work)",
                                n + 1
                            ),
                            explains: false,
                        });
                    }
                }
                let first_key = secrets
                    .first()
                    .map(|s| key_bytes(s.as_bytes()))
                    .unwrap_or_default();
                let failing: Vec<usize> = items
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| !all_match(&first_key, std::slice::from_ref(*i)))
                    .map(|(n, _)| n + 1)
                    .collect();
                if failing.len() < items.len() {
                    diagnosis.push(Diagnosis {
                        code: "wrong_parts".into(),
                        message: format!(
                            "key #1 matches some items but not item(s) {failing:?}: their signed \
                             fields were changed"
                        ),
                        explains: true,
                    });
                }
                diagnosis.extend(diagnose(secrets, req.body, items_match_body));
                SignatureReport {
                    diagnosis,
                    ..bare_report(
                        SignatureStatus::Invalid,
                        "the item HMAC(s) do not match with any configured key",
                    )
                }
            }
        };
        report.recipe = Some(RECIPE.into());
        report.received = Some(received);
        report.expected = expected;
        report
    }

    fn sign(&self, _input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Err(SignError::Unsupported(
            "adyen",
            "the HMAC travels inside the body (additionalData.hmacSignature), not in a header; \
             replay the captured body unchanged"
                .into(),
        ))
    }
}

fn items_match_body(key: &[u8], body: &[u8]) -> bool {
    items(body).is_some_and(|i| all_match(key, &i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    const KEY: &str = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, 1_700_000_000)
    }

    fn item(sig: &str, value: i64) -> String {
        format!(
            r#"{{"NotificationRequestItem":{{"additionalData":{{"hmacSignature":"{sig}"}},"amount":{{"value":{value},"currency":"EUR"}},"pspReference":"7914073381342284","eventCode":"AUTHORISATION","merchantAccountCode":"TestMerchant","merchantReference":"TestPayment-1407325143704","paymentMethod":"visa","success":"true"}}}}"#
        )
    }

    fn body(items: &[String]) -> Vec<u8> {
        format!(
            r#"{{"live":"false","notificationItems":[{}]}}"#,
            items.join(",")
        )
        .into_bytes()
    }

    /// Adyen's published library test vector (adyen-ruby-api-library's HMAC validator spec).
    const SIG: &str = "coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0=";

    #[test]
    fn published_vector() {
        let b = body(&[item(SIG, 1130)]);
        let items = items(&b).unwrap_or_default();
        assert_eq!(
            items.first().map(signed_data).as_deref(),
            Some(
                "7914073381342284::TestMerchant:TestPayment-1407325143704:1130:EUR:AUTHORISATION:true"
            )
        );
        let r = Adyen.verify(&inbound(&[], &b), &[KEY.into()]);
        assert_eq!(r.status, SignatureStatus::Valid, "{r:?}");
        assert_eq!(r.expected.as_deref(), Some(SIG));
        let meta = Adyen.event(&inbound(&[], &b));
        assert_eq!(meta.event_type.as_deref(), Some("AUTHORISATION"));
        assert_eq!(
            meta.event_id.as_deref(),
            Some("7914073381342284:AUTHORISATION")
        );
        assert_eq!(Adyen.detect(&inbound(&[], &b)), Confidence::Weak);
    }

    #[test]
    fn tampered_item_wrong_key_rotation() {
        let tampered = body(&[item(SIG, 1130), item(SIG, 99)]);
        let r = Adyen.verify(&inbound(&[], &tampered), &[KEY.into()]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "wrong_parts" && d.message.contains("[2]"))
        );
        let b = body(&[item(SIG, 1130)]);
        let other = "00".repeat(32);
        assert_eq!(
            Adyen
                .verify(&inbound(&[], &b), std::slice::from_ref(&other))
                .status,
            SignatureStatus::Invalid
        );
        let rot = Adyen.verify(&inbound(&[], &b), &[other, KEY.to_lowercase()]);
        assert_eq!(
            (rot.status, rot.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
    }

    #[test]
    fn missing_no_secret_unsupported_sign() {
        let unsigned =
            br#"{"notificationItems":[{"NotificationRequestItem":{"pspReference":"1"}}]}"#;
        assert_eq!(
            Adyen.verify(&inbound(&[], unsigned), &[KEY.into()]).status,
            SignatureStatus::Missing
        );
        assert_eq!(
            Adyen
                .verify(&inbound(&[], b"\xff\x00"), &[KEY.into()])
                .status,
            SignatureStatus::Missing
        );
        assert_eq!(
            Adyen.verify(&inbound(&[], unsigned), &[]).status,
            SignatureStatus::NoSecret
        );
        let input = SignInput {
            secret: KEY,
            body: unsigned,
            timestamp: 0,
            url: "",
            method: "POST",
            headers: &[],
        };
        assert!(matches!(
            Adyen.sign(&input),
            Err(SignError::Unsupported("adyen", _))
        ));
    }

    #[test]
    fn diagnosis_explains_whitespace_and_flags_a_non_hex_key() {
        let b = body(&[item(SIG, 1130)]);
        let r = Adyen.verify(&inbound(&[], &b), &[format!("{KEY}\n")]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "secret_whitespace" && d.explains),
            "{r:?}"
        );
        let r = Adyen.verify(&inbound(&[], &b), &["not-a-hex-key".into()]);
        assert!(r.diagnosis.iter().any(|d| d.code == "secret_not_hex"));
    }
}
