//! One download of a document's current version into its partial file: resumed with
//! `Range`, appended, and the hash the whole must have read from the response (the
//! version's, or a watermarked copy's own, docs/PROTOCOL.md §4.4). The caller verifies.

use super::{io_at, remove_file, CacheError, DocumentCache};
use crate::http::STALL;
use http_body_util::{BodyExt, Empty};
use hyper::header::{AUTHORIZATION, RANGE};
use hyper::StatusCode;
use protocol::Document;
use std::path::Path;
use tokio::io::AsyncWriteExt;

/// The hash a download must have, and the copy's own when it is watermarked.
pub(super) struct Expected {
    pub(super) sha256: String,
    pub(super) copy: Option<String>,
}

pub(super) enum Fault {
    /// The network: try again, resuming.
    Retry(CacheError),
    /// Retrying cannot help.
    Fatal(CacheError),
}

impl DocumentCache {
    /// One try: fetch what the partial file lacks, appending; returns the hash the whole
    /// must have, which the caller checks.
    pub(super) async fn download(
        &self,
        document: &Document,
        partial: &Path,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Expected, Fault> {
        let current = document.current().expect("checked by the caller");
        tokio::fs::create_dir_all(self.doc_dir(document.id))
            .await
            .map_err(|e| Fault::Fatal(io_at(partial)(e)))?;
        let have = tokio::fs::metadata(partial).await.map_or(0, |m| m.len());
        // A watermarked copy's size is not the version's: only the plain file can be
        // known complete without asking.
        if !current.file.watermarked && have >= current.file.size && current.file.size > 0 {
            return Ok(Expected {
                sha256: current.file.sha256.clone(),
                copy: None,
            });
        }
        // By version number: a version never changes, so a newer one published meanwhile
        // is never appended to this one's bytes.
        let url = self.version_url(document.id, current.version);
        let mut request =
            hyper::Request::get(url.as_str()).header(AUTHORIZATION, self.authorization.clone());
        if have > 0 {
            request = request.header(RANGE, format!("bytes={have}-"));
        }
        let request = request
            .body(Empty::new())
            .expect("a GET with valid headers builds");
        let unreachable = |reason: String| {
            Fault::Retry(CacheError::Unreachable {
                url: url.to_string(),
                reason,
            })
        };
        let response = tokio::time::timeout(STALL, self.http.request(request))
            .await
            .map_err(|_| unreachable("no answer".into()))?
            .map_err(|e| match crate::connector::untrusted(&e) {
                // Another try would meet the same certificate.
                Some(reason) => Fault::Fatal(CacheError::Untrusted {
                    url: url.to_string(),
                    reason,
                }),
                None => unreachable(e.to_string()),
            })?;
        let append = match response.status() {
            StatusCode::PARTIAL_CONTENT => true,
            StatusCode::OK => false,
            // A watermarked copy already whole: the range starts at its end.
            StatusCode::RANGE_NOT_SATISFIABLE if current.file.watermarked => {
                let expected =
                    expected_hash(response.headers(), &current.file.sha256).ok_or_else(|| {
                        unreachable("the download's hash headers do not add up".into())
                    })?;
                return Ok(expected);
            }
            StatusCode::RANGE_NOT_SATISFIABLE => {
                remove_file(partial).map_err(Fault::Fatal)?;
                return Err(unreachable(
                    "the partial copy was longer than the file".into(),
                ));
            }
            StatusCode::UNAUTHORIZED => return Err(Fault::Fatal(CacheError::BadToken)),
            StatusCode::FORBIDDEN => return Err(Fault::Fatal(CacheError::Forbidden(document.id))),
            StatusCode::NOT_FOUND | StatusCode::GONE => {
                return Err(Fault::Fatal(CacheError::Gone(document.id)))
            }
            status if status.is_server_error() => {
                return Err(Fault::Retry(CacheError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                }))
            }
            status => {
                return Err(Fault::Fatal(CacheError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                }))
            }
        };
        let expected = expected_hash(response.headers(), &current.file.sha256)
            .ok_or_else(|| unreachable("the download's hash headers do not add up".into()))?;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(partial)
            .await
            .map_err(|e| Fault::Fatal(io_at(partial)(e)))?;
        let mut body = response.into_body();
        loop {
            let frame = match tokio::time::timeout(STALL, body.frame()).await {
                Err(_) => return Err(unreachable("the download stalled".into())),
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    // Keep what arrived: the next try resumes after it.
                    let _ = file.flush().await;
                    return Err(unreachable(e.to_string()));
                }
                Ok(Some(Ok(frame))) => frame,
            };
            if let Ok(chunk) = frame.into_data() {
                file.write_all(&chunk)
                    .await
                    .map_err(|e| Fault::Fatal(io_at(partial)(e)))?;
                progress(chunk.len() as u64);
            }
        }
        file.sync_all()
            .await
            .map_err(|e| Fault::Fatal(io_at(partial)(e)))?;
        Ok(expected)
    }
}

/// What a download's headers say it holds: a watermarked copy (`X-Watermarked: 1`) has
/// its own hash (`X-Content-SHA256`) and names its version's (`X-Original-SHA256`); anything
/// else must hash to the version's. `None` when the headers do not add up.
fn expected_hash(headers: &hyper::HeaderMap, version_sha256: &str) -> Option<Expected> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("x-watermarked") != Some("1") {
        return Some(Expected {
            sha256: version_sha256.to_owned(),
            copy: None,
        });
    }
    let sent = header("x-content-sha256")?;
    let hex = sent.len() == 64 && sent.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (hex && header("x-original-sha256") == Some(version_sha256)).then(|| Expected {
        sha256: sent.to_owned(),
        copy: Some(sent.to_owned()),
    })
}
