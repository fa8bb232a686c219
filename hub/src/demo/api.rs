//! The demo's HTTP client: the hub's REST API with a bearer token, as any script would
//! call it (docs/PROTOCOL.md §2–§5). hyper-util's pooled client, already in the tree
//! through axum, over plain http to the hub's own listener.

use anyhow::{bail, Context as _};
use bytes::Bytes;
use futures_util::stream::{self, StreamExt as _, TryStreamExt as _};
use http_body_util::{BodyExt as _, Full};
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Method, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use protocol::{Command, MeetingId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;

/// Requests in flight at once when many people act together (check-ins, ballots): enough
/// for the hub's group commit to write them in a few batches, few enough to stay polite.
const IN_FLIGHT: usize = 32;
/// Tries of a command the hub answers `busy`: it asks for a re-send.
const TRIES: u32 = 20;
/// How long one command may be held back by the sender's budget (`rate_limited`, 429 with
/// `Retry-After`): the secretariat's 5,000 check-ins take 100 s at 50 a second, by design.
const RATE_LIMITED_FOR: Duration = Duration::from_secs(600);
/// A whole import of 5,000 rows answers within seconds; past this the hub is stuck.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// How long an idle connection is kept for the next request: less than the hub's smallest
/// header timeout that a demo would meet (`limits.header_timeout_secs`, 10 s by default).
const POOL_IDLE: Duration = Duration::from_secs(4);
/// Refusal lines shown of an import that names every bad row.
const LINES_SHOWN: usize = 5;

/// The hub's REST API, reached at one address, with the hub-wide secretariat token.
#[derive(Clone, Debug)]
pub(super) struct Api {
    http: Client<HttpConnector, Full<Bytes>>,
    /// `http://127.0.0.1:8080`: where this process reaches the hub.
    origin: String,
    /// The office token (`DATA/secretariat.token`).
    office: String,
}

/// A refusal's JSON body.
#[derive(Debug, Default, Deserialize)]
struct Refusal {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<LineRefusal>,
}

#[derive(Debug, Deserialize)]
struct LineRefusal {
    line: u64,
    message: String,
}

/// One part of a `multipart/form-data` body.
#[derive(Debug)]
pub(super) enum Part<'a> {
    Text(&'a str, &'a str),
    /// Field name, file name, content type, bytes.
    File(&'a str, &'a str, &'a str, &'a [u8]),
}

impl Api {
    pub(super) fn new(addr: SocketAddr, office: String) -> Api {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let http = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(IN_FLIGHT)
            // The hub closes a keep-alive connection idle for its header timeout (10 s by
            // default); one the pool hands out just as the hub closes it fails the request
            // it carries. Dropped well before, the pool opens a new one instead.
            .pool_idle_timeout(POOL_IDLE)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(connector);
        Api {
            http,
            origin: format!("http://{addr}"),
            office,
        }
    }

    /// The office token, to act as the hub's secretariat.
    pub(super) fn office(&self) -> &str {
        &self.office
    }

    /// `GET path` as `token`, the answer as JSON.
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
    ) -> anyhow::Result<T> {
        let body = self.send(Method::GET, path, token, None).await?;
        json(path, &body)
    }

    /// Whether `GET path` finds anything: `false` on 404.
    pub(super) async fn exists(&self, path: &str, token: &str) -> anyhow::Result<bool> {
        let (status, body, _) = self.exchange(Method::GET, path, token, None).await?;
        match status {
            StatusCode::NOT_FOUND => Ok(false),
            s if s.is_success() => Ok(true),
            s => Err(refused("GET", path, s, &body)),
        }
    }

    /// `POST path` with a JSON body.
    pub(super) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<T> {
        let bytes = Bytes::from(serde_json::to_vec(body)?);
        let answer = self
            .send(Method::POST, path, token, Some(("application/json", bytes)))
            .await?;
        json(path, &answer)
    }

    /// `POST path` with a CSV file as the body.
    pub(super) async fn post_csv<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        csv: String,
    ) -> anyhow::Result<T> {
        let body = Some(("text/csv; charset=utf-8", Bytes::from(csv)));
        let answer = self.send(Method::POST, path, token, body).await?;
        json(path, &answer)
    }

    /// `POST path` with a `multipart/form-data` body, as a browser's upload form sends it.
    pub(super) async fn upload<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        parts: &[Part<'_>],
    ) -> anyhow::Result<T> {
        let boundary = format!("demo-{}", uuid::Uuid::new_v4().simple());
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match part {
                Part::Text(name, value) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                        .as_bytes(),
                ),
                Part::File(name, file_name, content_type, bytes) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; \
                             filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(bytes);
                    body.extend_from_slice(b"\r\n");
                }
            }
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let answer = self
            .send(
                Method::POST,
                path,
                token,
                Some((&content_type, body.into())),
            )
            .await?;
        json(path, &answer)
    }

    /// Sends one command to `meeting` as `token` (`POST …/commands`) and returns its seq.
    /// A `busy` or `rate_limited` answer is re-sent with the same id, which the hub
    /// recognises, so a command never counts twice.
    pub(super) async fn command(
        &self,
        meeting: MeetingId,
        token: &str,
        command: Command,
    ) -> anyhow::Result<u64> {
        #[derive(Serialize)]
        struct Body<'a> {
            id: String,
            command: &'a Command,
        }
        #[derive(Deserialize)]
        struct Done {
            seq: u64,
        }
        let path = format!("/api/v1/meetings/{meeting}/commands");
        let op = command.op();
        let body = Body {
            id: uuid::Uuid::new_v4().to_string(),
            command: &command,
        };
        let bytes = Bytes::from(serde_json::to_vec(&body)?);
        let mut wait = Duration::from_millis(20);
        let mut busy = 0;
        let started = tokio::time::Instant::now();
        loop {
            let sent = Some(("application/json", bytes.clone()));
            let (status, answer, retry_after) =
                self.exchange(Method::POST, &path, token, sent).await?;
            if status.is_success() {
                return Ok(json::<Done>(&path, &answer)?.seq);
            }
            // Rate-limited, the hub is well and says when to come back: the seeding just
            // goes at the pace the budget allows. Busy means it is swamped: a few tries.
            match status {
                StatusCode::TOO_MANY_REQUESTS if started.elapsed() < RATE_LIMITED_FOR => {}
                StatusCode::TOO_MANY_REQUESTS => bail!(
                    "{op}: the sender's budget held it back for {} s",
                    RATE_LIMITED_FOR.as_secs()
                ),
                StatusCode::SERVICE_UNAVAILABLE if busy + 1 < TRIES => busy += 1,
                StatusCode::SERVICE_UNAVAILABLE => {
                    bail!("{op}: the hub stayed busy after {TRIES} tries")
                }
                _ => return Err(refused("POST", &path, status, &answer)).context(op),
            }
            tokio::time::sleep(retry_after.unwrap_or(wait)).await;
            wait = (wait * 2).min(Duration::from_secs(1));
        }
    }

    /// Sends every `(token, command)` to `meeting`, [`IN_FLIGHT`] at a time, in any order:
    /// for what many people do at once, like checking in or voting.
    pub(super) async fn commands_together(
        &self,
        meeting: MeetingId,
        jobs: Vec<(String, Command)>,
    ) -> anyhow::Result<()> {
        stream::iter(jobs)
            .map(|(token, command)| async move { self.command(meeting, &token, command).await })
            .buffer_unordered(IN_FLIGHT)
            .try_for_each(|_| async { Ok(()) })
            .await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<(&str, Bytes)>,
    ) -> anyhow::Result<Bytes> {
        let name = method.to_string();
        let started = tokio::time::Instant::now();
        loop {
            let (status, answer, retry_after) = self
                .exchange(method.clone(), path, token, body.clone())
                .await?;
            if status.is_success() {
                return Ok(answer);
            }
            // The office token's one budget covers the seeding's REST calls and its
            // commands together: a refusal changed nothing, so it is sent again when the
            // hub says (`command` does the same).
            if status != StatusCode::TOO_MANY_REQUESTS || started.elapsed() >= RATE_LIMITED_FOR {
                return Err(refused(&name, path, status, &answer));
            }
            tokio::time::sleep(retry_after.unwrap_or(Duration::from_millis(50))).await;
        }
    }

    /// One request and its whole answer, whatever the status.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<(&str, Bytes)>,
    ) -> anyhow::Result<(StatusCode, Bytes, Option<Duration>)> {
        let mut authorization = HeaderValue::from_str(&format!("Bearer {token}"))?;
        authorization.set_sensitive(true);
        let mut request = hyper::Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.origin))
            .header(AUTHORIZATION, authorization);
        let bytes = match body {
            Some((content_type, bytes)) => {
                request = request.header(CONTENT_TYPE, content_type);
                bytes
            }
            None => Bytes::new(),
        };
        let request = request.body(Full::new(bytes))?;
        let exchange = async {
            let response = self.http.request(request).await?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok()?.trim().parse().ok())
                .map(Duration::from_secs);
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, body, retry_after))
        };
        tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .with_context(|| format!("{method} {path}: no answer within {REQUEST_TIMEOUT:?}"))?
            .with_context(|| format!("{method} {path}"))
    }
}

fn json<T: DeserializeOwned>(path: &str, body: &[u8]) -> anyhow::Result<T> {
    serde_json::from_slice(body).with_context(|| format!("{path}: an answer the demo cannot read"))
}

/// A refusal as one readable error: the hub's code and message, and the first lines of an
/// import's refusals with the CSV lines they name.
fn refused(method: &str, path: &str, status: StatusCode, body: &[u8]) -> anyhow::Error {
    let refusal: Refusal = serde_json::from_slice(body).unwrap_or_else(|_| Refusal {
        message: String::from_utf8_lossy(body).into_owned(),
        ..Refusal::default()
    });
    let mut text = format!("{method} {path}: {}", status.as_u16());
    if !refusal.code.is_empty() {
        text.push_str(&format!(" {}", refusal.code));
    }
    text.push_str(&format!(": {}", refusal.message));
    for line in refusal.errors.iter().take(LINES_SHOWN) {
        text.push_str(&format!("\n  line {}: {}", line.line, line.message));
    }
    if refusal.errors.len() > LINES_SHOWN {
        text.push_str(&format!(
            "\n  … and {} more lines",
            refusal.errors.len() - LINES_SHOWN
        ));
    }
    anyhow::anyhow!(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_import_names_its_first_lines_and_counts_the_rest() {
        let errors: Vec<_> = (5102..5109)
            .map(|line| json_line(line, "a meeting holds at most 5100 participants"))
            .collect();
        let body = format!(
            r#"{{"code":"invalid","message":"7 participants cannot be added; nothing was added","errors":[{}]}}"#,
            errors.join(",")
        );
        let text = refused(
            "POST",
            "/api/v1/meetings/m/participants/import",
            StatusCode::UNPROCESSABLE_ENTITY,
            body.as_bytes(),
        )
        .to_string();
        assert!(
            text.starts_with(
                "POST /api/v1/meetings/m/participants/import: 422 invalid: 7 participants"
            ),
            "{text}"
        );
        assert!(
            text.contains("\n  line 5102: a meeting holds at most 5100 participants"),
            "{text}"
        );
        assert!(text.contains("\n  line 5106: "), "{text}");
        assert!(!text.contains("line 5107"), "{text}");
        assert!(text.ends_with("… and 2 more lines"), "{text}");
    }

    #[test]
    fn a_refusal_that_is_not_json_is_shown_as_it_came() {
        let text = refused("GET", "/x", StatusCode::BAD_GATEWAY, b"upstream down").to_string();
        assert_eq!(text, "GET /x: 502: upstream down");
    }

    fn json_line(line: u64, message: &str) -> String {
        format!(r#"{{"line":{line},"message":"{message}"}}"#)
    }
}
