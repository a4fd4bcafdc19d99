//! Discord interactions and webhook events: `X-Signature-Ed25519` is the hex Ed25519 signature
//! of `X-Signature-Timestamp + raw body`, made with the application's private key; the endpoint's
//! secret is the application's **public key** (64 hex characters, Developer Portal → General
//! Information). Asymmetric, so there is no expected value to show. Discord documents no
//! timestamp window: the age is reported, never judged.
//!
//! The handshake matters more than usual. Registering an Interactions Endpoint URL, Discord sends
//! a signed PING (`{"type":1}`) that must be answered `{"type":1}`, and also requests with bad
//! signatures that must get 401, or the URL is refused (and later removed). So with a public key
//! configured: PING with a valid signature → PONG; any request carrying Discord's signature
//! headers that does not verify → 401. Without a key nothing can be checked; a PING still gets
//! its PONG so a user can register the URL, while the bad-signature probe will then fail
//! registration — the reason to configure the key. Webhook-event PINGs (`type: 0`) get 204.

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use super::common;
use super::{
    Confidence, Diagnosis, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput,
    SignatureReport, SignatureStatus,
};
use crate::model::Reply;

pub struct Discord;

const SIGNATURE: &str = "x-signature-ed25519";
const TIMESTAMP: &str = "x-signature-timestamp";
const RECIPE: &str = "Ed25519 over X-Signature-Timestamp + raw body, signature hex, verified \
                      with the application's public key";

static INFO: ProviderInfo = ProviderInfo {
    id: "discord",
    name: "Discord",
    docs_url: "https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers",
    scheme: "X-Signature-Ed25519 = hex(Ed25519(timestamp + raw body)); asymmetric; PING must be \
             answered PONG and bad signatures 401",
    signature_headers: &[SIGNATURE, TIMESTAMP],
    secret_kind: "the application's Public Key (64 hex characters), not the bot token or client \
                  secret; signing needs the 32-byte private seed",
    retries: "none: interactions must be answered within 3 s (unconfirmed)",
    tolerance_secs: None,
};

/// What a configured secret turned out to be.
enum Key {
    Public(VerifyingKey),
    /// Not hex: how many characters it has (bot tokens contain dots, client secrets are 32
    /// alphanumerics).
    NotHex(usize),
    /// Hex of the wrong size: how many bytes.
    WrongLength(usize),
    /// 32 bytes that are not a point on the curve.
    NotAPoint,
}

fn classify(secret: &str) -> Key {
    let text = secret.trim();
    let Ok(raw) = hex::decode(text) else {
        return Key::NotHex(text.chars().count());
    };
    let Ok(bytes) = <[u8; 32]>::try_from(raw.as_slice()) else {
        return Key::WrongLength(raw.len());
    };
    VerifyingKey::from_bytes(&bytes).map_or(Key::NotAPoint, Key::Public)
}

fn message(ts: &str, body: &[u8]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(ts.len() + body.len());
    msg.extend_from_slice(ts.as_bytes());
    msg.extend_from_slice(body);
    msg
}

/// The public key of a secret read as a private seed, for "pasted the private key" findings.
fn public_of_seed(secret: &str) -> Option<VerifyingKey> {
    let raw = hex::decode(secret.trim()).ok()?;
    let seed = <[u8; 32]>::try_from(raw.as_slice()).ok()?;
    Some(SigningKey::from_bytes(&seed).verifying_key())
}

fn key_finding(index: usize, key: &Key) -> Option<Diagnosis> {
    let (code, message) = match key {
        Key::Public(_) => return None,
        Key::NotHex(len) => (
            "key_not_hex",
            format!(
                "secret {index} is not hex ({len} characters): that looks like the bot token or \
                 client secret; paste the application's Public Key (64 hex characters)"
            ),
        ),
        Key::WrongLength(len) => (
            "key_wrong_length",
            format!(
                "secret {index} is {len} bytes of hex; a Discord public key is 32 bytes (64 hex \
                 characters)"
            ),
        ),
        Key::NotAPoint => (
            "key_not_a_point",
            format!(
                "secret {index} is 32 bytes but not a valid Ed25519 public key; check it was \
                 copied whole"
            ),
        ),
    };
    Some(Diagnosis {
        code: code.into(),
        message,
        explains: false,
    })
}

impl Provider for Discord {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header(SIGNATURE).is_some() {
            return Confidence::Strong;
        }
        let shaped = common::body_json(req).is_some_and(|v| {
            v.get("application_id").is_some()
                && (v.get("token").is_some() || v.get("event").is_some())
        });
        if shaped {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, req: &Inbound<'_>) -> EventMeta {
        let body = common::body_json(req);
        let event_type = body.as_ref().and_then(|v| {
            if let Some(kind) = v.pointer("/event/type").and_then(|t| t.as_str()) {
                return Some(kind.to_owned());
            }
            let name = match (v.get("type")?.as_i64()?, v.get("event").is_some()) {
                (0, _) => "PING (webhook events)",
                (1, false) => "PING",
                (2, _) => "APPLICATION_COMMAND",
                (3, _) => "MESSAGE_COMPONENT",
                (4, _) => "APPLICATION_COMMAND_AUTOCOMPLETE",
                (5, _) => "MODAL_SUBMIT",
                _ => return None,
            };
            Some(name.to_owned())
        });
        EventMeta {
            event_type,
            event_id: body
                .as_ref()
                .and_then(|v| v.get("id"))
                .and_then(|id| id.as_str())
                .map(str::to_owned),
        }
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        let mut report = common::bare_report(SignatureStatus::Invalid, "");
        report.recipe = Some(RECIPE.into());
        if secrets.is_empty() {
            report.status = SignatureStatus::NoSecret;
            report.reason = "no public key configured: add the application's Public Key from the \
                             Developer Portal (General Information)"
                .into();
            return report;
        }
        let received = req
            .header(SIGNATURE)
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let (Some(received), Some(ts)) = (received, req.header(TIMESTAMP)) else {
            report.status = SignatureStatus::Missing;
            report.reason = "expected X-Signature-Ed25519 and X-Signature-Timestamp headers".into();
            return report;
        };
        report.received = Some(received.to_owned());
        let sig = hex::decode(received)
            .ok()
            .and_then(|raw| Signature::from_slice(&raw).ok());
        let Some(sig) = sig else {
            report.status = SignatureStatus::Missing;
            report.reason = "X-Signature-Ed25519 is not 64 bytes of hex".into();
            return report;
        };
        if let Ok(t) = ts.trim().parse::<i64>() {
            report.timestamp_age_secs = Some(req.now.saturating_sub(t));
        }
        let verifies =
            |key: &VerifyingKey, body: &[u8]| key.verify_strict(&message(ts, body), &sig).is_ok();
        let keys: Vec<Key> = secrets.iter().map(|s| classify(s)).collect();
        let hit = keys
            .iter()
            .position(|k| matches!(k, Key::Public(key) if verifies(key, req.body)));
        if let Some(i) = hit {
            report.status = SignatureStatus::Valid;
            report.reason = "the Ed25519 signature verifies with the public key".into();
            report.secret_index = Some(i);
            return report;
        }
        report.reason = if keys.iter().any(|k| matches!(k, Key::Public(_))) {
            "the signature does not verify with any configured public key".into()
        } else {
            "none of the configured secrets is an Ed25519 public key (64 hex characters)".into()
        };
        let mut findings: Vec<Diagnosis> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| key_finding(i, k))
            .collect();
        for (i, s) in secrets.iter().enumerate() {
            if public_of_seed(s).is_some_and(|pk| verifies(&pk, req.body)) {
                findings.push(Diagnosis {
                    code: "private_key_not_public".into(),
                    message: format!(
                        "secret {i} is the private key whose public half verifies this request: \
                         store the Public Key instead, and keep the private one secret"
                    ),
                    explains: true,
                });
            }
        }
        // Secret variants cannot apply to a public key; body variants still do.
        let check = |key: &[u8], body: &[u8]| {
            std::str::from_utf8(key)
                .ok()
                .is_some_and(|k| matches!(classify(k), Key::Public(pk) if verifies(&pk, body)))
        };
        let public: Vec<String> = secrets
            .iter()
            .zip(&keys)
            .filter(|(_, k)| matches!(k, Key::Public(_)))
            .map(|(s, _)| s.trim().to_owned())
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

    /// Signs with a hex private key: the 32-byte seed, or the 64-byte seed + public key pair.
    /// A 32-byte hex value cannot be told apart from a public key, so it is taken as a seed; it
    /// verifies only against its own public key.
    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        let raw = hex::decode(input.secret.trim()).ok();
        let key = match raw.as_deref().map(<[u8]>::len) {
            Some(32) => raw
                .as_deref()
                .and_then(|r| <[u8; 32]>::try_from(r).ok())
                .map(|seed| SigningKey::from_bytes(&seed)),
            Some(64) => raw
                .as_deref()
                .and_then(|r| <[u8; 64]>::try_from(r).ok())
                .and_then(|pair| SigningKey::from_keypair_bytes(&pair).ok()),
            _ => None,
        };
        let Some(key) = key else {
            return Err(SignError::Unsupported(
                "discord",
                "Discord signs with the application's private key, which it never shares; the \
                 endpoint's public key can only verify. Give a hex Ed25519 private seed (32 bytes) \
                 or seed + public key (64 bytes) to sign test requests"
                    .into(),
            ));
        };
        let ts = input.timestamp.to_string();
        let sig = key.sign(&message(&ts, input.body));
        Ok(vec![
            ("X-Signature-Ed25519".into(), hex::encode(sig.to_bytes())),
            ("X-Signature-Timestamp".into(), ts),
        ])
    }

    fn handshake(&self, req: &Inbound<'_>, secrets: &[String]) -> Option<Reply> {
        let body = common::body_json(req);
        let kind = body.as_ref().and_then(|v| v.get("type")?.as_i64());
        let is_event = body.as_ref().is_some_and(|v| v.get("event").is_some());
        let ping = matches!(kind, Some(1)) && !is_event;
        let event_ping = matches!(kind, Some(0));
        let signed = req.header(SIGNATURE).is_some();
        if secrets.is_empty() {
            return ping.then(pong).or_else(|| event_ping.then(no_content));
        }
        if !(ping || event_ping || signed) {
            return None;
        }
        if self.verify(req, secrets).status != SignatureStatus::Valid {
            return Some(Reply {
                status: 401,
                headers: vec![("content-type".into(), "text/plain".into())],
                body: b"invalid request signature".to_vec(),
            });
        }
        if ping {
            Some(pong())
        } else if event_ping {
            Some(no_content())
        } else {
            None
        }
    }
}

fn pong() -> Reply {
    Reply {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: br#"{"type":1}"#.to_vec(),
    }
}

fn no_content() -> Reply {
    Reply {
        status: 204,
        headers: Vec::new(),
        body: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit;

    // RFC 8032 §7.1 TEST 1.
    const SEED: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    const PUBLIC: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const EMPTY_SIG: &str = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    // The same key over "1700000000" + `{"type":1}`, computed with Python `cryptography`.
    const PING_SIG: &str = "1695961a47c91a1ec033b819b7e87e3dbc583dd0cee6d1fd0216f58ac87b6228ae531ddbf91fb7bc28d7edf7f08604da16f54624f38a6bc0614e4dc13cd47f0f";
    const PING: &[u8] = br#"{"type":1}"#;
    const NOW: i64 = 1_700_000_000;

    fn inbound<'a>(headers: &'a [Header], body: &'a [u8]) -> Inbound<'a> {
        Inbound {
            method: "POST",
            url: "https://example.test/interactions",
            headers,
            body,
            now: NOW + 2,
            json: None,
        }
    }

    fn verify(headers: &[Header], body: &[u8], secrets: &[&str]) -> SignatureReport {
        Discord.verify(&inbound(headers, body), &testkit::secrets(secrets))
    }

    fn headers(sig: &str, ts: &str) -> Vec<Header> {
        vec![Header::new(SIGNATURE, sig), Header::new(TIMESTAMP, ts)]
    }

    fn signed(seed: &str, body: &[u8]) -> Vec<Header> {
        let input = SignInput {
            secret: seed,
            body,
            timestamp: NOW,
            url: "",
            method: "POST",
            headers: &[],
        };
        Discord
            .sign(&input)
            .expect("a seed signs")
            .into_iter()
            .map(|(n, v)| Header::new(n.to_ascii_lowercase(), v))
            .collect()
    }

    #[test]
    fn rfc8032_vector_and_constructed_ping() {
        let r = verify(&headers(EMPTY_SIG, ""), b"", &[PUBLIC]);
        assert_eq!(r.status, SignatureStatus::Valid);
        let r = verify(&headers(PING_SIG, "1700000000"), PING, &[PUBLIC]);
        assert_eq!(
            (r.status, r.timestamp_age_secs),
            (SignatureStatus::Valid, Some(2))
        );
        // Ed25519 is deterministic, so signing reproduces the vector.
        assert_eq!(signed(SEED, PING)[0].value_lossy(), PING_SIG);
    }

    #[test]
    fn round_trip_tamper_wrong_key_and_rotation() {
        let body =
            br#"{"type":2,"id":"123","application_id":"9","token":"t","data":{"name":"hi"}}"#;
        let h = signed(SEED, body);
        assert_eq!(verify(&h, body, &[PUBLIC]).status, SignatureStatus::Valid);
        assert_eq!(verify(&h, PING, &[PUBLIC]).status, SignatureStatus::Invalid);
        let other = hex::encode(SigningKey::from_bytes(&[1; 32]).verifying_key().to_bytes());
        assert_eq!(verify(&h, body, &[&other]).status, SignatureStatus::Invalid);
        let r = verify(&h, body, &[&other, PUBLIC]);
        assert_eq!(
            (r.status, r.secret_index),
            (SignatureStatus::Valid, Some(1))
        );
        let pair = format!("{SEED}{PUBLIC}");
        assert_eq!(signed(&pair, body), h);
    }

    #[test]
    fn missing_malformed_and_no_secret() {
        assert_eq!(
            verify(&[], PING, &[PUBLIC]).status,
            SignatureStatus::Missing
        );
        assert_eq!(
            verify(&headers("abcd", "1"), PING, &[PUBLIC]).status,
            SignatureStatus::Missing
        );
        assert_eq!(
            verify(&headers(PING_SIG, "1700000000"), PING, &[]).status,
            SignatureStatus::NoSecret
        );
        let input = SignInput {
            secret: "not hex",
            body: PING,
            timestamp: NOW,
            url: "",
            method: "POST",
            headers: &[],
        };
        assert!(matches!(
            Discord.sign(&input),
            Err(SignError::Unsupported(..))
        ));
    }

    #[test]
    fn diagnosis_names_wrong_keys_and_a_pasted_private_key() {
        let h = headers(PING_SIG, "1700000000");
        let r = verify(&h, PING, &[SEED]);
        assert_eq!(r.status, SignatureStatus::Invalid);
        assert_eq!(r.diagnosis[0].code, "private_key_not_public");
        assert!(r.diagnosis[0].explains);
        let r = verify(
            &h,
            PING,
            &[
                "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
                "abcd",
            ],
        );
        let codes: Vec<&str> = r.diagnosis.iter().map(|d| d.code.as_str()).collect();
        assert!(
            codes.starts_with(&["key_not_hex", "key_wrong_length"]),
            "{codes:?}"
        );
        assert!(r.diagnosis[1].message.contains("2 bytes"));
    }

    #[test]
    fn diagnosis_explains_a_reserialised_body() {
        let sent = br#"{"a":1,"type":2}"#;
        let h = signed(SEED, sent);
        let r = verify(&h, b"{\n  \"a\": 1,\n  \"type\": 2\n}", &[PUBLIC]);
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "body_reserialized" && d.explains)
        );
    }

    #[test]
    fn ping_handshake_follows_the_signature() {
        let good = headers(PING_SIG, "1700000000");
        let keys = vec![PUBLIC.to_string()];
        let reply = Discord
            .handshake(&inbound(&good, PING), &keys)
            .expect("pong");
        assert_eq!((reply.status, reply.body.as_slice()), (200, PING));
        assert_eq!(reply.headers[0].1, "application/json");

        let bad = headers(EMPTY_SIG, "1700000000");
        let reply = Discord
            .handshake(&inbound(&bad, PING), &keys)
            .expect("refused");
        assert_eq!(reply.status, 401);
        let command = br#"{"type":2}"#;
        let reply = Discord
            .handshake(&inbound(&bad, command), &keys)
            .expect("refused");
        assert_eq!(reply.status, 401);
        assert!(
            Discord
                .handshake(&inbound(&signed(SEED, command), command), &keys)
                .is_none()
        );

        let reply = Discord.handshake(&inbound(&bad, PING), &[]).expect("pong");
        assert_eq!(reply.status, 200);
        let reply = Discord
            .handshake(&inbound(&[], br#"{"type":0,"version":1}"#), &[])
            .expect("204");
        assert_eq!(reply.status, 204);
        assert!(Discord.handshake(&inbound(&[], b"\xff"), &[]).is_none());
    }

    #[test]
    fn event_and_detection() {
        let body = br#"{"type":2,"id":"int-1","application_id":"9","token":"t"}"#;
        let req = inbound(&[], body);
        assert_eq!(Discord.detect(&req), Confidence::Weak);
        let meta = Discord.event(&req);
        assert_eq!(meta.event_type.as_deref(), Some("APPLICATION_COMMAND"));
        assert_eq!(meta.event_id.as_deref(), Some("int-1"));
        let event = br#"{"version":1,"application_id":"9","type":1,"event":{"type":"APPLICATION_AUTHORIZED"}}"#;
        assert_eq!(
            Discord.event(&inbound(&[], event)).event_type.as_deref(),
            Some("APPLICATION_AUTHORIZED")
        );
        let signed = headers(PING_SIG, "1");
        assert_eq!(Discord.detect(&inbound(&signed, b"")), Confidence::Strong);
        assert_eq!(Discord.detect(&inbound(&[], b"\x00")), Confidence::No);
    }
}
