//! Document routes: multipart upload (streamed to the blob store, then published through
//! the engine), the list a caller may see, delivery, and downloads with `Range`, `ETag`
//! and `If-None-Match`. The engine decides who may read what; these handlers translate.

use super::auth::{in_meeting, Caller, InMeeting};
use super::files::{self, Ranged};
use super::{ApiError, AppState};
use crate::engine::documents::{self as rules, Denied};
use crate::engine::Viewer;
use crate::live::Request;
use crate::store::{BlobError, Stored};
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use protocol::{
    AgendaItemId, Classification, Command, DocumentFile, DocumentId, ErrorCode, MeetingId,
    ParticipantId, Role,
};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

type Shared = State<Arc<AppState>>;

pub(super) fn secretariat(call: &InMeeting) -> Result<(), ApiError> {
    if call.role == Role::Secretariat {
        Ok(())
    } else {
        Err(ApiError::forbidden("only the secretariat may upload files"))
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::NotFound(m) => ApiError::not_found(m),
            Denied::Forbidden(m) => ApiError::forbidden(m),
            Denied::Gone(m) => ApiError::new(StatusCode::GONE, ErrorCode::NotFound, m),
        }
    }
}

/// What an upload said besides its file.
#[derive(Default)]
pub(super) struct Form {
    title: Option<String>,
    classification: Option<Classification>,
    item: Option<AgendaItemId>,
    readers: Vec<ParticipantId>,
    pub(super) file: Option<DocumentFile>,
}

/// Reads the multipart body, streaming the `file` part into the blob store.
pub(super) async fn read_form(state: &AppState, multipart: Multipart) -> Result<Form, ApiError> {
    let mut multipart = multipart;
    let mut form = Form::default();
    let limit = state.config.limits.max_upload_bytes;
    let bad = |m: String| ApiError::invalid(m);
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e.status(), e.body_text(), limit)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = files::clean_file_name(field.file_name().unwrap_or_default());
            let content_type = files::content_type(field.content_type(), &file_name);
            let over = AtomicBool::new(false);
            let body = field.map(|chunk| {
                chunk.map_err(|e| {
                    over.store(
                        e.status() == StatusCode::PAYLOAD_TOO_LARGE,
                        Ordering::Relaxed,
                    );
                    e.body_text()
                })
            });
            let stored = state.store.blobs().store(body, limit).await;
            let Stored { sha256, size } = match stored {
                Ok(s) => s,
                Err(BlobError::Body(_)) if over.load(Ordering::Relaxed) => {
                    return Err(too_large(limit))
                }
                Err(BlobError::TooLarge { .. }) => return Err(too_large(limit)),
                Err(BlobError::Body(m)) => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::BadFrame,
                        format!("the upload was interrupted: {m}"),
                    ))
                }
                Err(BlobError::Io(e)) => return Err(ApiError::internal("storing an upload", e)),
            };
            form.file = Some(DocumentFile {
                file_name,
                content_type,
                size,
                sha256,
            });
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|e| multipart_error(e.status(), e.body_text(), limit))?;
        let text = text.trim();
        match name.as_str() {
            "title" => form.title = Some(text.to_owned()),
            "classification" => form.classification = Some(text.parse().map_err(bad)?),
            "item" if !text.is_empty() => {
                form.item = Some(
                    text.parse()
                        .map_err(|_| bad(format!("item '{text}' is not an id")))?,
                )
            }
            "readers" => {
                for r in text
                    .split([',', ' ', '\n'])
                    .filter(|r| !r.trim().is_empty())
                {
                    let id = r
                        .trim()
                        .parse()
                        .map_err(|_| bad(format!("reader '{r}' is not an id")))?;
                    form.readers.push(id);
                }
            }
            _ => {}
        }
    }
    Ok(form)
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::FrameTooLarge,
        format!(
            "the file is larger than the hub accepts ({} MiB); nothing of it was kept",
            limit / (1024 * 1024)
        ),
    )
}

fn multipart_error(status: StatusCode, text: String, limit: u64) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limit);
    }
    // A body that stopped arriving (the body timeout) or broke off is the client's doing,
    // not a fault of the hub.
    if status.is_server_error() {
        let message = format!("the upload was interrupted: {text}");
        return ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadFrame, message);
    }
    ApiError::new(status, ErrorCode::BadFrame, text)
}

pub(super) fn multipart(m: Result<Multipart, MultipartRejection>) -> Result<Multipart, ApiError> {
    m.map_err(|e| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadFrame,
            format!(
                "send the document as multipart/form-data: {}",
                e.body_text()
            ),
        )
    })
}

/// `POST /meetings/{m}/documents`: fields `title`, `classification`, `item?`, `readers?`
/// (ids separated by commas) and `file`.
pub(super) async fn upload(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
    body: Result<Multipart, MultipartRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting)?;
    secretariat(&call)?;
    state.senders.upload(&principal)?;
    let form = read_form(&state, multipart(body)?).await?;
    let missing = |what: &str| ApiError::invalid(format!("the upload has no {what} field"));
    let command = Command::PublishDocument {
        title: form.title.ok_or_else(|| missing("title"))?,
        classification: form
            .classification
            .ok_or_else(|| missing("classification"))?,
        item: form.item,
        readers: form.readers,
        file: form.file.ok_or_else(|| missing("file"))?,
    };
    let request = Request::one(call.actor, None, command);
    let id = DocumentId(request.steps[0].1);
    let seq = call.handle.run(request).await?.seq;
    let document = call.handle.read(|s| s.documents.get(id).cloned());
    Ok((
        StatusCode::CREATED,
        Json(json!({ "document": document, "seq": seq })),
    ))
}

/// `POST /meetings/{m}/documents/{d}/versions`: field `file`, the next version.
pub(super) async fn upload_version(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, document)): Path<(MeetingId, DocumentId)>,
    body: Result<Multipart, MultipartRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting)?;
    secretariat(&call)?;
    state.senders.upload(&principal)?;
    let form = read_form(&state, multipart(body)?).await?;
    let file = form
        .file
        .ok_or_else(|| ApiError::invalid("the upload has no file field"))?;
    let command = Command::ReviseDocument { document, file };
    let seq = call
        .handle
        .run(Request::one(call.actor, None, command))
        .await?
        .seq;
    let document = call.handle.read(|s| s.documents.get(document).cloned());
    Ok((
        StatusCode::CREATED,
        Json(json!({ "document": document, "seq": seq })),
    ))
}

/// `GET /meetings/{m}/documents`: what the caller may see, as in its snapshot.
pub(super) async fn list(
    State(state): Shared,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting)?;
    let viewer = Viewer::for_actor(&call.actor);
    let (seq, view) = call.handle.read(|s| (s.seq, s.view(viewer)));
    let documents = view.map(|v| v.documents).unwrap_or_default();
    Ok(Json(json!({ "seq": seq, "documents": documents })))
}

/// `GET /meetings/{m}/documents/{d}/delivery`: who holds the current version (secretariat, chair).
pub(super) async fn delivery(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, document)): Path<(MeetingId, DocumentId)>,
) -> Result<impl IntoResponse, ApiError> {
    let call = in_meeting(&state, &principal, meeting)?;
    if Viewer::for_actor(&call.actor) != Viewer::Full {
        return Err(ApiError::forbidden(
            "delivery is for the secretariat and the chair",
        ));
    }
    let view = call.handle.read(|s| s.view(Viewer::Full));
    let doc = view
        .and_then(|v| v.documents.into_iter().find(|d| d.id == document))
        .ok_or_else(|| ApiError::not_found("no such document in this meeting"))?;
    Ok(Json(
        json!({ "document": doc.id, "status": doc.status, "delivery": doc.delivery }),
    ))
}

/// `GET /meetings/{m}/documents/{d}`: the current version's bytes.
pub(super) async fn download_current(
    State(state): Shared,
    Caller(principal): Caller,
    Path((meeting, document)): Path<(MeetingId, DocumentId)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    download(&state, &principal, meeting, document, None, &headers).await
}

/// `GET /meetings/{m}/documents/{d}/versions/{v}`: that version's bytes.
pub(super) async fn download_version(
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
    let call = in_meeting(state, principal, meeting)?;
    let file = call
        .handle
        .read(|s| rules::download(s, &call.actor, document, version).cloned())?;
    serve(state, &file.file, headers).await
}

/// `GET /p/{link}/documents/{d}`: a public document, with no token.
pub(super) async fn public_download(
    State(state): Shared,
    Path((link, document)): Path<(String, DocumentId)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let handle = super::public::meeting_of(&state, &link)?;
    let file = handle.read(|s| rules::public_download(s, document, None).cloned())?;
    serve(&state, &file.file, &headers).await
}

/// Sends a stored version: whole, or the one range asked for.
pub(super) async fn serve(
    state: &AppState,
    file: &DocumentFile,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let etag = format!("\"{}\"", file.sha256);
    let header_str = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let mut builder = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "private, no-cache");
    if files::none_match(header_str(header::IF_NONE_MATCH), &etag) {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .map_err(|e| ApiError::internal("building a response", e));
    }
    let path = state.store.blobs().path(&file.sha256).ok_or_else(|| {
        ApiError::internal(
            "serving a document",
            format!("blob {} is missing", file.sha256),
        )
    })?;
    let len = file.size;
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
            let value = HeaderValue::from_str(&format!("bytes */{len}"))
                .map_err(|e| ApiError::internal("building a response", e))?;
            response.headers_mut().insert(header::CONTENT_RANGE, value);
            return Ok(response);
        }
    };
    let mut reader = tokio::fs::File::open(&path)
        .await
        .map_err(|e| ApiError::internal("opening a document", e))?;
    reader
        .seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(|e| ApiError::internal("seeking in a document", e))?;
    let stream = tokio_util::io::ReaderStream::with_capacity(reader.take(count), 64 * 1024);
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
        .body(Body::from_stream(stream))
        .map_err(|e| ApiError::internal("building a response", e))
}
