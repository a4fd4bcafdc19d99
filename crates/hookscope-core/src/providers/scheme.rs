//! The common symmetric scheme, described instead of coded: an HMAC of the raw body (or of a
//! timestamp and the body) carried in one header, with an optional prefix, hex or base64.
//!
//! A provider of this kind declares a [`HmacScheme`] and delegates `verify` and `sign` to it;
//! the comparison, rotation, timestamp tolerance and diagnosis are [`common::verify_symmetric`]'s.
//! Providers that find the signature their own way (several header spellings, a list of entries)
//! parse it themselves and hand a [`Carried`] to [`HmacScheme::report`].

use std::borrow::Cow;

use super::common::{self, Alg, Enc, Parsed};
use super::{Diagnosis, Inbound, SignInput, SignatureReport, SignatureStatus};

/// What the MAC is computed over.
#[derive(Debug, Clone, Copy)]
pub enum Message {
    /// The raw body.
    Body,
    /// `{before}{timestamp}{between}{body}`, the timestamp being the text of `header` (Unix
    /// seconds) exactly as sent.
    Timestamped {
        header: &'static str,
        before: &'static str,
        between: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct HmacScheme {
    /// The provider's display name, for reasons.
    pub provider: &'static str,
    pub alg: Alg,
    pub enc: Enc,
    /// The signature header, spelled as the provider sends it (looked up case-insensitively).
    pub header: &'static str,
    /// Written before the encoded MAC (`sha256=`, `v0=`…); may be empty.
    pub prefix: &'static str,
    pub message: Message,
    /// The signed timestamp's tolerance: from the message, or one the provider found (a body field).
    pub tolerance_secs: Option<i64>,
    /// The signed-string recipe in words, for reports.
    pub recipe: &'static str,
    /// The reason given when the endpoint has no secret: where to find it.
    pub no_secret: &'static str,
    /// The reason given when the signature header is absent.
    pub missing: &'static str,
}

/// The signature a request carries, as found by the provider.
pub struct Carried<'a> {
    /// The header value as carried, for the report.
    pub text: String,
    /// The encoded MACs, prefixes removed; any one matching is enough.
    pub candidates: Vec<&'a str>,
    /// The timestamp's text as it goes into the message (empty for [`Message::Body`]).
    pub signed_text: Cow<'a, str>,
    /// The signed timestamp in Unix seconds, when it is to be held to the tolerance.
    pub timestamp: Option<i64>,
}

impl HmacScheme {
    /// The MAC of the message built from `timestamp` (ignored for [`Message::Body`]) and `body`.
    pub fn mac(&self, key: &[u8], timestamp: &str, body: &[u8]) -> Vec<u8> {
        match self.message {
            Message::Body => common::hmac(self.alg, key, body),
            Message::Timestamped {
                before, between, ..
            } => {
                let mut msg = format!("{before}{timestamp}{between}").into_bytes();
                msg.extend_from_slice(body);
                common::hmac(self.alg, key, &msg)
            }
        }
    }

    /// The header value the scheme carries: prefix and encoded MAC.
    pub fn signature(&self, key: &[u8], timestamp: &str, body: &[u8]) -> String {
        let mac = self.mac(key, timestamp, body);
        format!("{}{}", self.prefix, common::encode(self.enc, &mac))
    }

    /// A report with only a status and a reason, with the scheme's recipe.
    pub fn bare(&self, status: SignatureStatus, reason: impl Into<String>) -> SignatureReport {
        common::bare_report(status, reason).with_recipe(self.recipe)
    }

    /// The report for no secrets, when there are none.
    pub fn no_secret(&self, secrets: &[String]) -> Option<SignatureReport> {
        secrets
            .is_empty()
            .then(|| self.bare(SignatureStatus::NoSecret, self.no_secret))
    }

    pub fn verify(&self, req: &Inbound<'_>, secrets: &[String]) -> SignatureReport {
        self.verify_with(req, secrets, Vec::new)
    }

    /// [`Self::verify`], with the provider's own findings added when nothing matches.
    pub fn verify_with(
        &self,
        req: &Inbound<'_>,
        secrets: &[String],
        extra: impl FnOnce() -> Vec<Diagnosis>,
    ) -> SignatureReport {
        if let Some(report) = self.no_secret(secrets) {
            return report;
        }
        match self.carried(req) {
            Ok(carried) => self.report(req, secrets, carried, extra),
            Err(reason) => self.bare(SignatureStatus::Missing, reason),
        }
    }

    /// The signature in the scheme's header, or why it is missing.
    fn carried<'a>(&self, req: &Inbound<'a>) -> Result<Carried<'a>, Cow<'static, str>> {
        let Some(text) = req.header(self.header).map(str::trim) else {
            return Err(self.missing.into());
        };
        let Some(sig) = text.strip_prefix(self.prefix).filter(|s| !s.is_empty()) else {
            return Err(match self.prefix {
                "" => self.missing.into(),
                prefix => format!(
                    "the `{}` header does not start with `{prefix}`",
                    self.header
                )
                .into(),
            });
        };
        let (signed_text, timestamp) = match self.message {
            Message::Body => ("", None),
            Message::Timestamped { header, .. } => {
                let ts = req.header(header).map(str::trim);
                let Some(parsed) = ts.and_then(|t| Some((t, t.parse::<i64>().ok()?))) else {
                    return Err(format!("`{header}` is absent or not a number").into());
                };
                (parsed.0, Some(parsed.1))
            }
        };
        Ok(Carried {
            text: text.to_owned(),
            candidates: vec![sig],
            signed_text: signed_text.into(),
            timestamp,
        })
    }

    /// Verify a signature the provider found, with [`common::verify_symmetric`]; the secrets'
    /// UTF-8 bytes are the key.
    pub fn report(
        &self,
        req: &Inbound<'_>,
        secrets: &[String],
        carried: Carried<'_>,
        extra: impl FnOnce() -> Vec<Diagnosis>,
    ) -> SignatureReport {
        let ts_text: &str = &carried.signed_text;
        common::verify_symmetric(
            Parsed {
                provider: self.provider,
                recipe: self.recipe,
                received: carried.text,
                body: req.body,
                timestamp: carried.timestamp,
                tolerance_secs: self.tolerance_secs,
                now: req.now,
            },
            secrets,
            |s| Some(s.as_bytes().to_vec()),
            |key, body| {
                let mac = self.mac(key, ts_text, body);
                carried
                    .candidates
                    .iter()
                    .any(|c| common::signature_matches(self.enc, &mac, c))
            },
            |key| self.signature(key, ts_text, req.body),
            extra,
        )
    }

    /// The headers the provider sends: the timestamp (for timestamped schemes), then the
    /// signature.
    pub fn sign(&self, input: &SignInput<'_>) -> Vec<(String, String)> {
        let key = input.secret.as_bytes();
        match self.message {
            Message::Body => vec![(self.header.into(), self.signature(key, "", input.body))],
            Message::Timestamped { header, .. } => {
                let ts = input.timestamp.to_string();
                let sig = self.signature(key, &ts, input.body);
                vec![(header.into(), ts), (self.header.into(), sig)]
            }
        }
    }
}
