//! Downloads of documents: the stored bytes of a version, whole or the one range asked
//! for, with `ETag`, `If-None-Match` and the hash in `X-Content-SHA256`; for a watermarked
//! version each participant's own copy (`crate::trust`), the office the original; and the
//! public link's downloads of public documents. The engine decides who may read what.

use super::super::auth::{in_meeting, Caller};
use super::super::files::{self, Ranged};
use super::super::{ApiError, AppState};
use super::Shared;
use crate::engine::documents::{self as rules, Denied};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use protocol::{Classification, DocumentFile, DocumentId, ErrorCode, MeetingId};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// `GET /meetings/{m}/documents/{d}`: the current version's bytes.
pub(in crate::transport) async fn download_current(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, document)): Path<(MeetingId, DocumentId)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    download(&state, &principal, meeting, document, None, &headers).await
}

/// `GET /meetings/{m}/documents/{d}/versions/{v}`: that version's bytes.
pub(in crate::transport) async fn download_version(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, document, version)): Path<(MeetingId, DocumentId, u32)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    download(
        &state,
        &principal,
        meeting,
        document,
        Some(version),
        &headers,
    )
    .await
}

async fn download(
    state: &AppState,
    principal: &crate::store::Principal,
    meeting: MeetingId,
    document: DocumentId,
    version: Option<u32>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let call = in_meeting(state, principal, meeting).await?;
    of(state, &call, document, version, headers).await
}

/// The bytes of `document` (its current version when `version` is `None`) for `call`'s
/// actor, if the engine lets them read it: the meetings' downloads and the library's.
pub(in crate::transport) async fn of(
    state: &AppState,
    call: &super::super::auth::InMeeting,
    document: DocumentId,
    version: Option<u32>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let (file, class, reader) = call.handle.read(|s| {
        let file = rules::download(s, &call.actor, document, version).cloned()?;
        let class = s.documents.get(document).map(|d| d.classification);
        let reader = match call.actor {
            crate::engine::Actor::Participant { id, .. } => s.participant(id).cloned(),
            _ => None,
        };
        Ok::<_, Denied>((file, class, reader))
    })?;
    match (file.file.watermarked, class, reader) {
        // Each reader gets their own copy; the office (no one's name) reads the original.
        (true, Some(class), Some(reader)) => {
            serve_copy(state, &file.file, class, &reader, headers).await
        }
        _ => serve(state, &file.file, headers).await,
    }
}

/// Serves `reader`'s watermarked copy of `file`: drawn on the first request, then kept.
async fn serve_copy(
    state: &AppState,
    file: &DocumentFile,
    class: Classification,
    reader: &protocol::Participant,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let blob = blob_path(state, file)?;
    let copy = state
        .trust
        .reader_copy(
            &blob,
            &file.sha256,
            reader,
            class,
            crate::trust::wall_clock(),
        )
        .await
        .map_err(|e| ApiError::internal("drawing a reader's copy", e))?;
    let served = Served {
        path: copy.path,
        sha256: copy.sha256,
        size: copy.size,
        original: Some(file.sha256.clone()),
    };
    send(state, &served, file, headers).await
}

/// `GET /p/{link}/documents/{d}`: a public document, with no token.
pub(in crate::transport) async fn public_download(
    State(state): Shared,
    Path((link, document)): Path<(String, DocumentId)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let handle = super::super::public::meeting_of(&state, &link).await?;
    let file = handle.read(|s| rules::public_download(s, document, None).cloned())?;
    serve(&state, &file.file, &headers).await
}

fn blob_path(state: &AppState, file: &DocumentFile) -> Result<std::path::PathBuf, ApiError> {
    state.store.blobs().path(&file.sha256).ok_or_else(|| {
        ApiError::internal(
            "serving a document",
            format!("blob {} is missing", file.sha256),
        )
    })
}

/// The bytes a response sends: a stored blob, or a reader's copy of one.
struct Served {
    path: std::path::PathBuf,
    sha256: String,
    size: u64,
    /// For a copy, the original's SHA-256.
    original: Option<String>,
}

/// Sends a stored version: whole, or the one range asked for.
pub(in crate::transport) async fn serve(
    state: &AppState,
    file: &DocumentFile,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let served = Served {
        path: blob_path(state, file)?,
        sha256: file.sha256.clone(),
        size: file.size,
        original: None,
    };
    send(state, &served, file, headers).await
}

/// Sends `served` under `file`'s name and type. `ETag` and `X-Content-SHA256` are the hash
/// of the bytes sent, which a tablet checks its copy against; a watermarked copy also
/// says `X-Watermarked: 1` and the original's hash in `X-Original-SHA256`. A stored blob
/// in demand goes from memory, one copy for every response; a reader's own copy and a
/// file too large to hold stream from disk.
async fn send(
    state: &AppState,
    served: &Served,
    file: &DocumentFile,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let etag = format!("\"{}\"", served.sha256);
    let header_str = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let mut builder = Response::builder()
        .header(header::ETAG, &etag)
        .header("x-content-sha256", &served.sha256)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "private, no-cache");
    if let Some(original) = &served.original {
        builder = builder
            .header("x-watermarked", "1")
            .header("x-original-sha256", original);
    }
    if files::none_match(header_str(header::IF_NONE_MATCH), &etag) {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .map_err(|e| ApiError::internal("building a response", e));
    }
    let path = &served.path;
    let len = served.size;
    let (status, start, count) = match files::parse_range(header_str(header::RANGE), len) {
        Ranged::Full => (StatusCode::OK, 0, len),
        Ranged::Part { start, end } => {
            builder = builder.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"));
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        Ranged::Unsatisfiable => {
            let mut response = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ErrorCode::Invalid,
                format!("the range asked for is outside the file's {len} bytes"),
            )
            .into_response();
            let bad = |e| ApiError::internal("building a response", e);
            let value = HeaderValue::from_str(&format!("bytes */{len}")).map_err(bad)?;
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_RANGE, value);
            // A tablet whose copy is whole asks past its end: tell it what it holds.
            headers.insert(
                "x-content-sha256",
                HeaderValue::from_str(&served.sha256).map_err(bad)?,
            );
            if let Some(original) = &served.original {
                headers.insert("x-watermarked", HeaderValue::from_static("1"));
                headers.insert(
                    "x-original-sha256",
                    HeaderValue::from_str(original).map_err(bad)?,
                );
            }
            return Ok(response);
        }
    };
    let held = match served.original {
        None => state
            .hot_documents
            .get(path, &served.sha256, len)
            .await
            .map_err(|e| ApiError::internal("reading a document", e))?,
        Some(_) => None,
    };
    let body = match held {
        Some(bytes) => from_memory(bytes.slice(start as usize..(start + count) as usize)),
        None => stream_from_disk(path, start, count).await?,
    };
    builder
        .status(status)
        .header(header::CONTENT_TYPE, &file.content_type)
        .header(header::CONTENT_LENGTH, count)
        .header(
            header::CONTENT_DISPOSITION,
            files::content_disposition(&file.file_name),
        )
        // An uploaded HTML file must not run as the hub's own page.
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CONTENT_SECURITY_POLICY, "sandbox")
        .body(body)
        .map_err(|e| ApiError::internal("building a response", e))
}

/// Bytes held in memory, sent as slices of them (no copy). In pieces rather than as one
/// frame: `bench/documents.sh` measured 200 downloads of one 10 MB frame each at half the
/// throughput of the same bytes sent in 64 KiB pieces.
fn from_memory(bytes: bytes::Bytes) -> Body {
    const PIECE: usize = 1024 * 1024;
    let pieces = (0..bytes.len()).step_by(PIECE).map(move |at| {
        Ok::<_, std::convert::Infallible>(bytes.slice(at..(at + PIECE).min(bytes.len())))
    });
    Body::from_stream(futures_util::stream::iter(pieces))
}

/// `count` bytes of the file at `path` from `start`, read as they are sent.
async fn stream_from_disk(
    path: &std::path::Path,
    start: u64,
    count: u64,
) -> Result<Body, ApiError> {
    let mut reader = tokio::fs::File::open(path)
        .await
        .map_err(|e| ApiError::internal("opening a document", e))?;
    reader
        .seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(|e| ApiError::internal("seeking in a document", e))?;
    let stream = tokio_util::io::ReaderStream::with_capacity(reader.take(count), 64 * 1024);
    Ok(Body::from_stream(stream))
}
