//! Plaid: `Plaid-Verification` is an ES256 JWT. Its payload claims `iat` (at most 5 minutes old)
//! and `request_body_sha256`, the hex SHA-256 of the raw body; the JWT is signed with a P-256 key
//! Plaid publishes per `kid` through `/webhook_verification_key/get`. That call needs API
//! credentials, so offline verification is only possible when the user pastes the JWK (or the
//! whole API response) as the endpoint's secret; several JWKs may be configured and the JWT's
//! `kid` picks among them. Plaid bodies are often pretty-printed, so whitespace matters.

use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::common::{
    self, Enc, bare_report, check_timestamp, ct_eq, decode_base64_any, diagnose, encode,
};
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};

pub struct Plaid;

const TOLERANCE_SECS: i64 = 300;

static INFO: ProviderInfo = ProviderInfo {
    id: "plaid",
    name: "Plaid",
    docs_url: "https://plaid.com/docs/api/webhooks/webhook-verification/",
    scheme: "Plaid-Verification: ES256 JWT (P-256 key by kid from /webhook_verification_key/get) \
             with claims iat (≤ 5 min old) and request_body_sha256 = hex(SHA-256(raw body))",
    signature_headers: &["Plaid-Verification"],
    secret_kind: "the verification JWK (JSON) returned by /webhook_verification_key/get for the \
                  JWT's kid; without it the check needs Plaid's API",
    retries: "not documented per webhook; Plaid may resend, so handle duplicates",
    tolerance_secs: Some(TOLERANCE_SECS),
};

const RECIPE: &str = "ES256 over `header.payload` of the Plaid-Verification JWT; claim \
                      request_body_sha256 = hex(SHA-256(body)); claim iat within 5 min";

struct Jwt<'a> {
    header: Value,
    claims: Value,
    signed: &'a str,
    signature: Vec<u8>,
}

fn parse_jwt(token: &str) -> Option<Jwt<'_>> {
    let token = token.trim();
    let (signed, sig) = token.rsplit_once('.')?;
    let (header, claims) = signed.split_once('.')?;
    let json =
        |part: &str| -> Option<Value> { serde_json::from_slice(&decode_base64_any(part)?).ok() };
    Some(Jwt {
        header: json(header)?,
        claims: json(claims)?,
        signed,
        signature: decode_base64_any(sig)?,
    })
}

/// A P-256 verifying key and its `kid` from a pasted JWK, or the API response holding one.
fn parse_jwk(secret: &[u8]) -> Option<(VerifyingKey, Option<String>)> {
    let json: Value = serde_json::from_slice(secret).ok()?;
    let jwk = json.get("key").filter(|k| k.is_object()).unwrap_or(&json);
    if jwk.get("kty")?.as_str()? != "EC" || jwk.get("crv")?.as_str()? != "P-256" {
        return None;
    }
    let coord = |name: &str| decode_base64_any(jwk.get(name)?.as_str()?).filter(|c| c.len() == 32);
    let mut point = vec![0x04];
    point.extend(coord("x")?);
    point.extend(coord("y")?);
    let key = VerifyingKey::from_sec1_bytes(&point).ok()?;
    let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
    Some((key, kid))
}

fn signature_ok(key: &VerifyingKey, jwt: &Jwt<'_>) -> bool {
    Signature::from_slice(&jwt.signature)
        .is_ok_and(|sig| key.verify(jwt.signed.as_bytes(), &sig).is_ok())
}

fn body_hash_ok(jwt: &Jwt<'_>, body: &[u8]) -> bool {
    let claimed = jwt
        .claims
        .get("request_body_sha256")
        .and_then(Value::as_str)
        .and_then(|h| hex::decode(h.trim()).ok());
    claimed.is_some_and(|c| ct_eq(&c, &Sha256::digest(body)))
}

impl Provider for Plaid {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header("plaid-verification").is_some() {
            return Confidence::Strong;
        }
        let body = common::body_json(req);
        if body.is_some_and(|b| b.get("webhook_type").is_some() && b.get("webhook_code").is_some())
        {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let body = common::body_json(req);
        let field = |name: &str| {
            body.as_ref()
                .and_then(|b| b.get(name))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let (kind, code) = (field("webhook_type"), field("webhook_code"));
        EventMeta {
            event_type: match (&kind, &code) {
                (Some(k), Some(c)) => Some(format!("{k}.{c}")),
                _ => code.clone().or(kind),
            },
            // Plaid sends no event id; the item and code identify what happened to which item.
            event_id: field("item_id").map(|item| match &code {
                Some(c) => format!("{item}:{c}"),
                None => item,
            }),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let Some(token) = req.header("plaid-verification") else {
            return bare_report(
                SignatureStatus::Missing,
                "no Plaid-Verification header (JWT)",
            );
        };
        let keys: Vec<(usize, VerifyingKey, Option<String>)> = secrets
            .iter()
            .enumerate()
            .filter_map(|(i, s)| parse_jwk(s.trim().as_bytes()).map(|(k, kid)| (i, k, kid)))
            .collect();
        if keys.is_empty() {
            return SignatureReport {
                recipe: Some(RECIPE.into()),
                received: Some(token.trim().to_owned()),
                ..bare_report(
                    SignatureStatus::Unsupported,
                    "Plaid's verification key comes from its API (/webhook_verification_key/get \
                     with the JWT's kid): paste that JWK as this endpoint's secret to verify offline",
                )
            };
        }
        let Some(jwt) = parse_jwt(token) else {
            return SignatureReport {
                received: Some(token.trim().to_owned()),
                ..bare_report(
                    SignatureStatus::Missing,
                    "Plaid-Verification is not a decodable JWT (header.payload.signature)",
                )
            };
        };
        let mut report = self.check(&jwt, &keys, secrets, req);
        report.recipe = Some(RECIPE.into());
        report.received = Some(token.trim().to_owned());
        report.expected = Some(format!(
            "request_body_sha256 = {}",
            encode(Enc::Hex, &Sha256::digest(req.body))
        ));
        report
    }

    fn sign(&self, _input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Err(SignError::Unsupported(
            "plaid",
            "Plaid signs Plaid-Verification with its own private key; only Plaid can produce it"
                .into(),
        ))
    }
}

impl Plaid {
    fn check(
        &self,
        jwt: &Jwt<'_>,
        keys: &[(usize, VerifyingKey, Option<String>)],
        secrets: &[String],
        req: &Inbound<'_>,
    ) -> SignatureReport {
        let alg = jwt.header.get("alg").and_then(Value::as_str).unwrap_or("");
        if alg != "ES256" {
            return SignatureReport {
                diagnosis: vec![Diagnosis {
                    code: "wrong_algorithm".into(),
                    message: format!("the JWT's alg is `{alg}`; Plaid signs with ES256 only"),
                    explains: true,
                }],
                ..bare_report(SignatureStatus::Invalid, "the JWT is not ES256")
            };
        }
        let kid = jwt.header.get("kid").and_then(Value::as_str);
        let Some((index, _, _)) = keys.iter().find(|(_, key, _)| signature_ok(key, jwt)) else {
            let mut diagnosis = Vec::new();
            if let Some(kid) = kid
                && !keys.iter().any(|(_, _, k)| k.as_deref() == Some(kid))
            {
                diagnosis.push(Diagnosis {
                    code: "kid_not_configured".into(),
                    message: format!(
                        "the JWT was signed with key `{kid}`, which no configured JWK has: \
                         fetch that kid from /webhook_verification_key/get"
                    ),
                    explains: true,
                });
            }
            if diagnosis.is_empty() {
                diagnosis.push(Diagnosis {
                    code: "wrong_secret".into(),
                    message: "the JWT's ES256 signature does not verify with any configured JWK"
                        .into(),
                    explains: false,
                });
            }
            return SignatureReport {
                diagnosis,
                ..bare_report(
                    SignatureStatus::Invalid,
                    "the Plaid-Verification JWT's signature does not verify with any configured JWK",
                )
            };
        };
        if !body_hash_ok(jwt, req.body) {
            let mut diagnosis = diagnose(secrets, req.body, |k, b| {
                parse_jwk(k).is_some_and(|(key, _)| signature_ok(&key, jwt)) && body_hash_ok(jwt, b)
            });
            diagnosis.retain(|d| d.explains);
            diagnosis.push(Diagnosis {
                code: "body_hash_mismatch".into(),
                message: "the JWT is genuine but its request_body_sha256 is not the SHA-256 of \
                          this body: the body changed after Plaid sent it (whitespace counts)"
                    .into(),
                explains: true,
            });
            return SignatureReport {
                secret_index: Some(*index),
                diagnosis,
                ..bare_report(
                    SignatureStatus::Invalid,
                    "the JWT verifies but request_body_sha256 does not match the body",
                )
            };
        }
        let iat = jwt.claims.get("iat").and_then(Value::as_i64);
        let Some(iat) = iat else {
            return SignatureReport {
                secret_index: Some(*index),
                ..bare_report(
                    SignatureStatus::Invalid,
                    "the JWT has no numeric `iat` claim",
                )
            };
        };
        let c = check_timestamp(iat, req.now, TOLERANCE_SECS);
        let status = if c.within {
            SignatureStatus::Valid
        } else {
            SignatureStatus::Stale
        };
        let reason = if c.within {
            format!(
                "the JWT verifies with JWK #{} and the body hash matches",
                index + 1
            )
        } else {
            format!(
                "the JWT verifies and the body hash matches, but iat is {} s old (tolerance {} s)",
                c.age_secs, TOLERANCE_SECS
            )
        };
        SignatureReport {
            secret_index: Some(*index),
            timestamp_age_secs: Some(c.age_secs),
            ..bare_report(status, reason)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer as _;

    const NOW: i64 = 1_700_000_000;
    const KID: &str = "6c5516e1-92dc-479e-a8ff-5a51992e0001";

    fn key(seed: u8) -> SigningKey {
        let mut bytes = [0u8; 32];
        bytes[31] = seed;
        bytes[0] = 0x11;
        SigningKey::from_slice(&bytes).unwrap_or_else(|_| unreachable!())
    }

    fn jwk(key: &SigningKey, kid: &str) -> String {
        let point = key.verifying_key().to_sec1_point(false);
        let bytes = point.as_bytes();
        serde_json::json!({
            "alg": "ES256", "crv": "P-256", "kty": "EC", "use": "sig", "kid": kid,
            "x": encode(Enc::Base64Url, &bytes[1..33]),
            "y": encode(Enc::Base64Url, &bytes[33..65]),
        })
        .to_string()
    }

    fn jwt(key: &SigningKey, kid: &str, iat: i64, body: &[u8]) -> String {
        let header = serde_json::json!({"alg": "ES256", "kid": kid, "typ": "JWT"}).to_string();
        let claims = serde_json::json!({
            "iat": iat,
            "request_body_sha256": hex::encode(Sha256::digest(body)),
        })
        .to_string();
        let signed = format!(
            "{}.{}",
            encode(Enc::Base64Url, header.as_bytes()),
            encode(Enc::Base64Url, claims.as_bytes())
        );
        let sig: Signature = key.sign(signed.as_bytes());
        format!("{signed}.{}", encode(Enc::Base64Url, &sig.to_bytes()))
    }

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        testkit::inbound(headers, body, NOW)
    }

    const BODY: &[u8] = b"{\n  \"webhook_type\": \"TRANSACTIONS\",\n  \"webhook_code\": \"SYNC_UPDATES_AVAILABLE\",\n  \"item_id\": \"wz666MBjYWTp2PDzzggYhM6oWWmBb\"\n}";

    #[test]
    fn valid_stale_and_rotation() {
        let k = key(1);
        let headers = [Header::new(
            "plaid-verification",
            jwt(&k, KID, NOW - 30, BODY),
        )];
        let req = inbound(&headers, BODY);
        let r = Plaid.verify(&req, &[jwk(&k, KID)]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(0)),
            "{r:?}"
        );
        let wrapped = format!(r#"{{"key": {}, "request_id": "x"}}"#, jwk(&k, KID));
        let r = Plaid.verify(&req, &[jwk(&key(2), "old"), wrapped]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        let old = [Header::new(
            "plaid-verification",
            jwt(&k, KID, NOW - 600, BODY),
        )];
        let r = Plaid.verify(&inbound(&old, BODY), &[jwk(&k, KID)]);
        assert_eq!(
            (r.status, r.timestamp_age_secs),
            (SignatureStatus::Stale, Some(600))
        );
        assert_eq!(Plaid.detect(&req), Confidence::Strong);
        let meta = Plaid.event(&req);
        assert_eq!(
            meta.event_type.as_deref(),
            Some("TRANSACTIONS.SYNC_UPDATES_AVAILABLE")
        );
    }

    #[test]
    fn tampered_body_and_wrong_key() {
        let k = key(1);
        let headers = [Header::new("plaid-verification", jwt(&k, KID, NOW, BODY))];
        let r = Plaid.verify(&inbound(&headers, b"{}"), &[jwk(&k, KID)]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert!(r.diagnosis.iter().any(|d| d.code == "body_hash_mismatch"));
        let r = Plaid.verify(&inbound(&headers, BODY), &[jwk(&key(2), KID)]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        let r = Plaid.verify(&inbound(&headers, BODY), &[jwk(&key(2), "other-kid")]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "kid_not_configured" && d.explains)
        );
    }

    #[test]
    fn diagnosis_explains_a_reserialised_body() {
        let k = key(1);
        let headers = [Header::new("plaid-verification", jwt(&k, KID, NOW, BODY))];
        let compact =
            serde_json::to_vec(&serde_json::from_slice::<Value>(BODY).unwrap_or_default())
                .unwrap_or_default();
        let pretty_signed =
            serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(BODY).unwrap_or_default())
                .unwrap_or_default();
        let headers2 = [Header::new(
            "plaid-verification",
            jwt(&k, KID, NOW, &pretty_signed),
        )];
        let r = Plaid.verify(&inbound(&headers2, &compact), &[jwk(&k, KID)]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains),
            "{r:?}"
        );
        assert_eq!(
            Plaid
                .verify(&inbound(&headers, BODY), &[jwk(&k, KID)])
                .status,
            SignatureStatus::Valid
        );
    }

    #[test]
    fn missing_unsupported_and_garbage() {
        let k = key(1);
        assert_eq!(
            Plaid.verify(&inbound(&[], BODY), &[jwk(&k, KID)]).status,
            SignatureStatus::Missing
        );
        let headers = [Header::new("plaid-verification", jwt(&k, KID, NOW, BODY))];
        assert_eq!(
            Plaid.verify(&inbound(&headers, BODY), &[]).status,
            SignatureStatus::Unsupported
        );
        assert_eq!(
            Plaid
                .verify(&inbound(&headers, BODY), &["client-secret".into()])
                .status,
            SignatureStatus::Unsupported
        );
        let junk = [Header::new("plaid-verification", "a.b.c")];
        assert_eq!(
            Plaid.verify(&inbound(&junk, BODY), &[jwk(&k, KID)]).status,
            SignatureStatus::Missing
        );
        let input = SignInput {
            secret: "",
            body: BODY,
            timestamp: NOW,
            url: "",
            method: "POST",
            headers: &[],
        };
        assert!(matches!(
            Plaid.sign(&input),
            Err(SignError::Unsupported("plaid", _))
        ));
    }
}
