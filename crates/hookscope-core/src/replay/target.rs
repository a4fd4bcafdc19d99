//! Where a replay goes: the target URL joined with the path after the slug and the raw query,
//! and the rule that targets are loopback unless the user explicitly allows another host.

use http::Uri;

use crate::model::Endpoint;
use crate::{Error, Result};

/// Where a replay goes when neither the user nor the endpoint says.
pub const DEFAULT_TARGET: &str = "http://localhost:3000";

/// The endpoint's forward target, else [`DEFAULT_TARGET`].
pub fn default_target(endpoint: &Endpoint) -> String {
    endpoint
        .forward_url
        .clone()
        .unwrap_or_else(|| DEFAULT_TARGET.to_string())
}

/// The path after `/{slug}`; the whole path for a request that did not start with the slug
/// (one the default endpoint caught).
pub fn path_after_slug<'a>(slug: &str, path: &'a str) -> &'a str {
    path.strip_prefix('/')
        .and_then(|p| p.strip_prefix(slug))
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .unwrap_or(path)
}

/// A parsed `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// Host without brackets (`::1`, `localhost`).
    pub host: String,
    pub port: u16,
    /// `host[:port]` as written, for the `Host` header.
    pub authority: String,
    /// Path and query, origin-form (`/hooks/x?a=1`).
    pub path_and_query: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Self> {
        let bad = |why: &str| Error::invalid(format!("invalid target URL {url:?}: {why}"));
        let uri: Uri = url.parse().map_err(|_| bad("not a URL"))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => return Err(bad("use http:// or https://")),
        };
        let authority = uri.authority().ok_or_else(|| bad("no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad(
                "credentials in the URL are not supported; send an Authorization header",
            ));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let path_and_query = uri
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        Ok(Self {
            https,
            host: host.to_string(),
            port,
            authority: authority.as_str().to_string(),
            path_and_query: if path_and_query.is_empty() {
                "/".into()
            } else {
                path_and_query
            },
        })
    }

    /// `localhost`, `*.localhost`, `127.0.0.0/8` or `::1`.
    pub fn is_loopback(&self) -> bool {
        let host = self.host.to_ascii_lowercase();
        host == "localhost"
            || host.ends_with(".localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// Refuse a host other than loopback unless the user allowed it.
    pub fn check_allowed(&self, allow_remote: bool) -> Result<()> {
        if allow_remote || self.is_loopback() {
            Ok(())
        } else {
            Err(Error::RemoteTarget(format!(
                "{} is not a loopback address: sending captured payloads to another host must be \
                 asked for explicitly (--allow-remote)",
                self.host
            )))
        }
    }
}

/// `target` with `rest` (the path after the slug) appended to its path and `query` (raw)
/// appended to its query: `http://localhost:3000/hooks` + `/x` + `a=1` is
/// `http://localhost:3000/hooks/x?a=1`.
pub fn join(target: &str, rest: &str, query: &str) -> Result<String> {
    let t = Target::parse(target)?;
    let (base_path, base_query) = match t.path_and_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (t.path_and_query.as_str(), ""),
    };
    let mut path = base_path.trim_end_matches('/').to_string();
    if !rest.is_empty() && !rest.starts_with('/') {
        path.push('/');
    }
    path.push_str(rest);
    if path.is_empty() {
        path.push('/');
    }
    let query: Vec<&str> = [base_query, query]
        .into_iter()
        .filter(|q| !q.is_empty())
        .collect();
    let scheme = if t.https { "https" } else { "http" };
    let mut url = format!("{scheme}://{}{path}", t.authority);
    if !query.is_empty() {
        url.push('?');
        url.push_str(&query.join("&"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_path_after_slug_and_query() {
        assert_eq!(path_after_slug("stripe", "/stripe/x"), "/x");
        assert_eq!(path_after_slug("stripe", "/stripe"), "");
        assert_eq!(path_after_slug("stripe", "/stripey/x"), "/stripey/x");
        assert_eq!(path_after_slug("default", "/other/y"), "/other/y");
        let cases = [
            (
                "http://localhost:3000/hooks",
                "/x",
                "a=1",
                "http://localhost:3000/hooks/x?a=1",
            ),
            (
                "http://localhost:3000/hooks/",
                "/x",
                "",
                "http://localhost:3000/hooks/x",
            ),
            ("http://localhost:3000", "", "", "http://localhost:3000/"),
            (
                "http://localhost:3000/hooks",
                "",
                "",
                "http://localhost:3000/hooks",
            ),
            (
                "http://127.0.0.1:9/h?k=v",
                "/x",
                "a=1&a=2",
                "http://127.0.0.1:9/h/x?k=v&a=1&a=2",
            ),
            ("http://[::1]:8080", "/%2F", "", "http://[::1]:8080/%2F"),
        ];
        for (target, rest, query, want) in cases {
            assert_eq!(
                join(target, rest, query).unwrap(),
                want,
                "{target} {rest} {query}"
            );
        }
        assert!(join("ftp://x", "", "").is_err());
        assert!(join("localhost:3000", "", "").is_err());
    }

    #[test]
    fn only_loopback_without_permission() {
        for url in [
            "http://localhost:1",
            "http://api.localhost",
            "http://127.0.0.9",
            "http://[::1]:2",
        ] {
            assert!(
                Target::parse(url).unwrap().check_allowed(false).is_ok(),
                "{url}"
            );
        }
        for url in [
            "http://example.com",
            "http://10.0.0.1",
            "http://localhost.evil.com",
        ] {
            let t = Target::parse(url).unwrap();
            assert!(
                matches!(t.check_allowed(false), Err(Error::RemoteTarget(_))),
                "{url}"
            );
            assert!(t.check_allowed(true).is_ok(), "{url}");
        }
    }
}
