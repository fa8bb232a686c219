//! Join URLs: what the QR code on a badge holds, `https://HOST:PORT/j/TOKEN?ca=FINGERPRINT`
//! (`ca=` when the hub serves HTTPS with its own CA; `http://HOST:PORT/j/TOKEN` without TLS).

use crate::connector::{Fingerprint, Trust};
use crate::error::ClientError;
use std::fmt;
use url::Url;

/// A parsed join URL: where the hub is, the participant's token, and whom to trust as the
/// hub over TLS.
#[derive(Clone, PartialEq, Eq)]
pub struct JoinUrl {
    /// The hub's base URL, ending in `/` (e.g. `http://10.0.0.5:8080/`).
    base: Url,
    token: String,
    /// The hall's CA by its fingerprint (`ca=`), a `--ca` file, or the system's roots.
    trust: Trust,
}

impl JoinUrl {
    /// Parses a join URL. The hub may sit under a path prefix behind a proxy
    /// (`https://host/hop/j/TOKEN`); the base is everything before `/j/`.
    pub fn parse(input: &str) -> Result<JoinUrl, ClientError> {
        let bad = |reason: &str| ClientError::BadJoinUrl {
            url: input.chars().take(200).collect(),
            reason: reason.to_owned(),
        };
        let url = Url::parse(input.trim()).map_err(|e| bad(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("the scheme must be http or https"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(bad("it names no host"));
        }
        if url.fragment().is_some() {
            return Err(bad("a join URL has no fragment"));
        }
        let mut trust = Trust::SystemRoots;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "ca" if trust == Trust::SystemRoots => {
                    let pin = Fingerprint::parse(&value).ok_or_else(|| {
                        bad("its ca= is not the 64 hex digits of a SHA-256 fingerprint")
                    })?;
                    trust = Trust::HallCa(pin);
                }
                "ca" => return Err(bad("it names ca= twice")),
                _ => return Err(bad("its query may hold ca= only")),
            }
        }
        let mut segments: Vec<&str> = url.path_segments().map_or(Vec::new(), |s| s.collect());
        if segments.last() == Some(&"") {
            segments.pop();
        }
        let (token, rest) = segments
            .split_last()
            .ok_or_else(|| bad("it has no token"))?;
        let (marker, prefix) = rest
            .split_last()
            .ok_or_else(|| bad("the path must end in /j/TOKEN"))?;
        if *marker != "j" {
            return Err(bad("the path must end in /j/TOKEN"));
        }
        if token.is_empty() || token.len() > 256 {
            return Err(bad("the token is empty or too long"));
        }
        if !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return Err(bad("the token has characters a hub never issues"));
        }
        let mut base = url.clone();
        let mut path: String = prefix.iter().map(|s| format!("/{s}")).collect();
        path.push('/');
        base.set_path(&path);
        base.set_query(None);
        Ok(JoinUrl {
            base,
            token: (*token).to_owned(),
            trust,
        })
    }

    /// The same hub, trusted through the certificates of `trust` instead (`--ca FILE`).
    pub fn trusting(mut self, trust: Trust) -> JoinUrl {
        self.trust = trust;
        self
    }

    /// Whom the tablet trusts as the hub over TLS.
    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    /// The same badge at another hub (the hall's standby): `hub` is that hub's base URL,
    /// e.g. `http://10.0.0.6:8080` (a path prefix is kept; a join URL is taken as its
    /// base).
    pub fn at_hub(&self, hub: &str) -> Result<JoinUrl, ClientError> {
        let hub = hub.trim();
        let base = match JoinUrl::parse(hub) {
            Ok(other) => other.base,
            Err(_) => {
                let with_slash = format!("{}/", hub.trim_end_matches('/'));
                JoinUrl::parse(&format!("{with_slash}j/{}", self.token))?.base
            }
        };
        Ok(JoinUrl {
            base,
            token: self.token.clone(),
            // The standby serves with the hall's same CA (INSTALL.md, *A standby hub*).
            trust: self.trust.clone(),
        })
    }

    /// The participant's token, for `hello`.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The hub's base URL, ending in `/`.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// The hub's WebSocket endpoint: `ws://HOST:PORT/api/v1/ws` (`wss` behind https).
    pub fn ws_url(&self) -> Url {
        let mut ws = self.base.join("api/v1/ws").expect("a relative path joins");
        let scheme = if self.base.scheme() == "https" {
            "wss"
        } else {
            "ws"
        };
        ws.set_scheme(scheme).expect("ws and wss are valid here");
        ws
    }
}

impl fmt::Display for JoinUrl {
    /// Prints the join URL back, token included: it is the badge, handle it as one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}j/{}", self.base, self.token)?;
        match &self.trust {
            Trust::HallCa(pin) => write!(f, "?ca={}", pin.hex()),
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for JoinUrl {
    /// Leaves the token out, so logs do not leak badges.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinUrl")
            .field("base", &self.base.as_str())
            .field("token", &"<redacted>")
            .field("trust", &self.trust)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_badge_reaches_the_standby_hub() {
        let j = JoinUrl::parse("https://10.0.0.5/hop/j/AbC-12_x").unwrap();
        for other in [
            "https://10.0.0.6",
            "https://10.0.0.6/",
            "https://10.0.0.6/j/AbC-12_x",
        ] {
            let at = j.at_hub(other).unwrap();
            assert_eq!(at.base_url().as_str(), "https://10.0.0.6/", "{other}");
            assert_eq!(at.token(), "AbC-12_x");
        }
        let prefixed = j.at_hub("http://10.0.0.6:8080/hop").unwrap();
        assert_eq!(
            prefixed.ws_url().as_str(),
            "ws://10.0.0.6:8080/hop/api/v1/ws"
        );
        assert!(j.at_hub("ftp://10.0.0.6").is_err());
    }

    #[test]
    fn a_badge_url_gives_the_hub_and_the_token() {
        let j = JoinUrl::parse("http://10.0.0.5:8080/j/AbC-12_x").unwrap();
        assert_eq!(j.token(), "AbC-12_x");
        assert_eq!(j.base_url().as_str(), "http://10.0.0.5:8080/");
        assert_eq!(j.ws_url().as_str(), "ws://10.0.0.5:8080/api/v1/ws");
        assert_eq!(j.to_string(), "http://10.0.0.5:8080/j/AbC-12_x");
    }

    #[test]
    fn a_trailing_slash_and_surrounding_spaces_are_tolerated() {
        let j = JoinUrl::parse("  http://hub.local/j/tok/ \n").unwrap();
        assert_eq!(j.token(), "tok");
        assert_eq!(j.ws_url().as_str(), "ws://hub.local/api/v1/ws");
    }

    #[test]
    fn https_behind_a_path_prefix_becomes_wss_under_that_prefix() {
        let j = JoinUrl::parse("https://example.org/hall-2/j/xyz").unwrap();
        assert_eq!(j.base_url().as_str(), "https://example.org/hall-2/");
        assert_eq!(j.ws_url().as_str(), "wss://example.org/hall-2/api/v1/ws");
    }

    #[test]
    fn urls_that_are_not_join_urls_are_refused_with_a_reason() {
        for (input, reason) in [
            ("not a url", "relative URL"),
            ("ftp://hub/j/tok", "scheme"),
            ("http://hub:8080/", "no token"),
            ("http://hub:8080/tok", "/j/TOKEN"),
            ("http://hub:8080/x/tok", "/j/TOKEN"),
            ("http://hub:8080/j/", "/j/TOKEN"),
            ("http://hub:8080/j/to%20k", "characters"),
            ("http://hub:8080/j/tok?x=1", "ca= only"),
            ("http://hub:8080/j/tok#x", "fragment"),
            ("https://hub/j/tok?ca=12ab", "64 hex digits"),
        ] {
            let err = JoinUrl::parse(input).unwrap_err();
            let text = err.to_string();
            assert!(matches!(err, ClientError::BadJoinUrl { .. }), "{input}");
            assert!(text.contains(reason), "{input}: {text}");
            assert!(text.contains("http://HOST:PORT/j/TOKEN"), "{text}");
        }
    }

    #[test]
    fn a_badge_with_the_halls_ca_pins_it_and_prints_it_back() {
        let pin = Fingerprint::of(b"the hall's CA");
        let text = format!("https://10.0.0.5:8443/j/tok?ca={}", pin.colons());
        let j = JoinUrl::parse(&text).unwrap();
        assert_eq!(j.trust(), &Trust::HallCa(pin));
        assert_eq!(j.base_url().as_str(), "https://10.0.0.5:8443/");
        assert_eq!(j.ws_url().as_str(), "wss://10.0.0.5:8443/api/v1/ws");
        let printed = j.to_string();
        assert_eq!(
            printed,
            format!("https://10.0.0.5:8443/j/tok?ca={}", pin.hex())
        );
        assert_eq!(JoinUrl::parse(&printed).unwrap(), j);
        let err = JoinUrl::parse(&format!("{printed}&ca={}", pin.hex())).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }

    #[test]
    fn debug_output_hides_the_token() {
        let j = JoinUrl::parse("http://hub/j/secret-token").unwrap();
        assert!(!format!("{j:?}").contains("secret-token"));
    }
}
