//! Dropbox: `X-Dropbox-Signature` is hex HMAC-SHA256 of the raw body with the app secret. The
//! notification only lists the accounts that changed, so there is no event id or type. Before
//! it sends notifications Dropbox verifies the URL with `GET ?challenge=…`, which must be echoed
//! back as plain text (with `nosniff`, so a browser never renders it as HTML).

use super::common::{Alg, Enc};
use super::scheme::{HmacScheme, Message};
use super::{
    Confidence, EventMeta, Inbound, Provider, ProviderInfo, SignError, SignInput, SignatureReport,
    SignatureStatus,
};
use crate::model::Reply;

pub struct Dropbox;

static INFO: ProviderInfo = ProviderInfo {
    id: "dropbox",
    name: "Dropbox",
    docs_url: "https://www.dropbox.com/developers/reference/webhooks",
    scheme: "X-Dropbox-Signature: hex(HMAC-SHA256(app secret, raw body)); GET ?challenge= is echoed",
    signature_headers: &["X-Dropbox-Signature"],
    secret_kind: "the app secret from the Dropbox App Console",
    retries: "retries with backoff for a short period; answer within 10 s",
    tolerance_secs: None,
};

/// The `challenge` query parameter, percent-decoded, when the URL has one.
fn challenge(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "challenge")
        .map(|(_, value)| percent_decode(value))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes.get(i) {
            Some(b'%') => bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok()),
            _ => None,
        };
        match (decoded, bytes.get(i)) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
            }
            (None, Some(b'+')) => {
                out.push(b' ');
                i += 1;
            }
            (None, Some(&b)) => {
                out.push(b);
                i += 1;
            }
            (None, None) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

static SCHEME: HmacScheme = HmacScheme {
    provider: INFO.name,
    alg: Alg::Sha256,
    enc: Enc::Hex,
    header: "X-Dropbox-Signature",
    prefix: "",
    message: Message::Body,
    tolerance_secs: None,
    recipe: "hex(HMAC-SHA256(app secret, body))",
    no_secret: "configure the Dropbox app secret (App Console) to verify X-Dropbox-Signature",
    missing: "no X-Dropbox-Signature header",
};

impl Provider for Dropbox {
    fn info(&self) -> &'static ProviderInfo {
        &INFO
    }

    fn detect(&self, req: &Inbound<'_>) -> Confidence {
        if req.header("x-dropbox-signature").is_some() {
            Confidence::Strong
        } else if req.method.eq_ignore_ascii_case("GET") && challenge(req.url).is_some() {
            Confidence::Weak
        } else {
            Confidence::No
        }
    }

    fn event(&self, _req: &Inbound<'_>) -> EventMeta {
        // Dropbox notifications carry only account ids: no event type, no event id.
        EventMeta::default()
    }

    fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        if secrets.is_empty() || req.header(SCHEME.header).is_some() || challenge(req.url).is_none()
        {
            return SCHEME.verify(req, secrets);
        }
        SCHEME.bare(
            SignatureStatus::Missing,
            "this is Dropbox's URL-verification GET (?challenge=), which is not signed",
        )
    }

    fn sign(&self, input: &SignInput<'_>) -> Result<Vec<(String, String)>, SignError> {
        Ok(SCHEME.sign(input))
    }

    fn handshake(&self, req: &Inbound<'_>, _secrets: &[String]) -> Option<Reply> {
        if !req.method.eq_ignore_ascii_case("GET") {
            return None;
        }
        let challenge = challenge(req.url)?;
        Some(Reply {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/plain".into()),
                ("X-Content-Type-Options".into(), "nosniff".into()),
            ],
            body: challenge.into_bytes(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Header;
    use crate::providers::testkit::{self, signed};

    fn inbound<'a>(
        method: &'a str,
        url: &'a str,
        headers: &'a [Header],
        body: &'a [u8],
    ) -> Inbound<'a> {
        Inbound {
            method,
            url,
            headers,
            body,
            now: 1_700_000_000,
            json: None,
        }
    }

    const BODY: &[u8] = br#"{"list_folder": {"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}, "delta": {"users": [12345678]}}"#;

    #[test]
    fn constructed_vector() {
        // Computed independently with Python's hmac module.
        let headers = signed(&Dropbox, "app-secret", BODY, 0);
        assert_eq!(
            headers[0].value_lossy(),
            "4c5c4f66f44d1c4caf09bf8bb533cce0bfbf09ea119d0f1945e1a38bd6c54670"
        );
        let r = Dropbox.verify(
            &inbound("POST", "https://x.test/h", &headers, BODY),
            &["app-secret".into()],
        );
        assert_eq!(r.status, SignatureStatus::Valid);
    }

    #[test]
    fn shared_symmetric_cases() {
        testkit::symmetric(&Dropbox, "app-secret", BODY, 1_700_000_000);
    }

    #[test]
    fn unsigned_challenge_and_whitespace_diagnosis() {
        let url = "https://x.test/h";
        let r = Dropbox.verify(
            &inbound("GET", "https://x.test/h?challenge=abc", &[], b""),
            &["s".into()],
        );
        assert_eq!(r.status, SignatureStatus::Missing);
        assert!(r.reason.contains("URL-verification"), "{r:?}");
        let headers = signed(&Dropbox, "app-secret", BODY, 0);
        let r = Dropbox.verify(
            &inbound("POST", url, &headers, BODY),
            &[" app-secret ".into()],
        );
        assert!(
            r.diagnosis
                .iter()
                .any(|d| d.code == "secret_whitespace" && d.explains)
        );
    }

    #[test]
    fn handshake_echoes_the_decoded_challenge() {
        let req = inbound(
            "GET",
            "https://x.test/h?foo=1&challenge=abc%2Bd+e",
            &[],
            b"",
        );
        assert_eq!(Dropbox.detect(&req), Confidence::Weak);
        let reply = Dropbox.handshake(&req, &[]);
        assert_eq!(
            reply.as_ref().map(|r| r.body.as_slice()),
            Some(&b"abc+d e"[..])
        );
        assert!(reply.is_some_and(|r| {
            r.headers
                .contains(&("X-Content-Type-Options".into(), "nosniff".into()))
        }));
        let post = inbound("POST", "https://x.test/h?challenge=abc", &[], b"");
        assert!(Dropbox.handshake(&post, &[]).is_none());
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
