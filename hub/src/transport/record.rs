//! The meeting's record over REST: the minutes (PDF signed by the hub, DOCX to finish),
//! the counting reports, the spreadsheets and the dossier, each under
//! `/api/v1/meetings/{m}/record/…` with its Vietnamese file name (RFC 5987 in
//! `Content-Disposition`).
//!
//! The engine says who may take what (`engine::may_export_record`,
//! `engine::may_take_dossier`); `crate::record` draws the papers. Everything is built on
//! tokio's blocking threads, at most two builds at once, so a congress's dossier never
//! holds up the live meeting.

use super::auth::{in_meeting, Caller, InMeeting};
use super::{files, ApiError, AppState};
use crate::engine::{self, EngineError};
use crate::live::Refused;
use crate::record::{self, file_name, PaperError, Snapshot};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use protocol::{ErrorCode, MeetingId, OpinionRequestId, PollId};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The routes, merged into `/api/v1`.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/meetings/{meeting}/record/dossier/progress",
            get(dossier_progress),
        )
        .route("/meetings/{meeting}/record/{file}", get(meeting_file))
        .route(
            "/meetings/{meeting}/record/polls/{poll}/{file}",
            get(poll_file),
        )
        .route(
            "/meetings/{meeting}/record/opinions/{request}/{file}",
            get(opinion_file),
        )
}

const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const CSV: &str = "text/csv; charset=utf-8";
const SIG: &str = "text/plain; charset=utf-8";
/// The hub's signature of a signed file, also in its own `.sig` route.
const SIGNATURE_HEADER: &str = "x-hub-signature-ed25519";

fn refused(e: EngineError) -> ApiError {
    ApiError::from(Refused::new(e.code(), e.to_string()))
}

impl From<PaperError> for ApiError {
    fn from(e: PaperError) -> Self {
        match e {
            PaperError::NotFound(m) => ApiError::not_found(m),
            PaperError::NotYet(m) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::InvalidState, m)
            }
            PaperError::Invalid(m) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::Invalid, m)
            }
            PaperError::Record(e) => ApiError::internal("drawing the record", e),
        }
    }
}

/// A file to send.
struct File {
    name: String,
    kind: &'static str,
    bytes: Vec<u8>,
    /// The hub's signature of `bytes`, for a signed file.
    signature: Option<String>,
}

impl IntoResponse for File {
    fn into_response(self) -> Response {
        let mut r = (
            [
                (header::CONTENT_TYPE, self.kind.to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    files::content_disposition(&self.name),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            ],
            self.bytes,
        )
            .into_response();
        if let Some(sig) = self.signature.and_then(|s| HeaderValue::from_str(&s).ok()) {
            r.headers_mut().insert(SIGNATURE_HEADER, sig);
        }
        r
    }
}

/// A signed file, or (`sig`) its detached signature as `NAME.sig`.
fn signed(state: &AppState, name: String, kind: &'static str, bytes: Vec<u8>, sig: bool) -> File {
    let signature = state.signer.sign_hex(&bytes);
    if sig {
        File {
            name: format!("{name}.sig"),
            kind: SIG,
            bytes: format!("{signature}\n").into_bytes(),
            signature: None,
        }
    } else {
        File {
            name,
            kind,
            bytes,
            signature: Some(signature),
        }
    }
}

/// A turn to build an export, or `busy` when the queue behind the builds is full.
async fn export_turn(state: &AppState) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
    state.record.permit().await.ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Busy,
            format!(
                "two exports are being built and {} wait for their turn; try again in a minute",
                crate::record::MAX_WAITING
            ),
        )
    })
}

/// Runs `draw` on a snapshot of the meeting (state and log at the same seq) on a blocking
/// thread, at most two at once across the hub.
async fn drawn<T: Send + 'static>(
    state: &Arc<AppState>,
    call: &InMeeting,
    draw: impl FnOnce(&Snapshot, &AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = export_turn(state).await?;
    // Copied only once this build may start: a request still waiting holds no copy.
    let meeting = call.handle.read(|s| s.clone());
    let app = state.clone();
    tokio::task::spawn_blocking(move || {
        let snapshot = Snapshot::read(meeting, &app.store)
            .map_err(|e| ApiError::internal("reading the log", e))?;
        draw(&snapshot, &app)
    })
    .await
    .map_err(|e| ApiError::internal("export task", e))?
}

fn title(s: &Snapshot) -> String {
    s.state
        .meeting
        .as_ref()
        .map_or_else(String::new, |m| m.title.clone())
}

/// `GET …/record/{file}`: `minutes.pdf` (signed; `.sig`), `minutes.docx`,
/// `attendance.xlsx`, `attendance.csv`, `speakers.xlsx`, `delivery.xlsx`, `dossier.zip`.
async fn meeting_file(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((meeting, file)): Path<(MeetingId, String)>,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    if file == "dossier.zip" {
        engine::may_take_dossier(&call.actor).map_err(refused)?;
        return dossier(state, call, meeting).await;
    }
    let known = [
        "minutes.pdf",
        "minutes.pdf.sig",
        "minutes.docx",
        "attendance.xlsx",
        "attendance.csv",
        "speakers.xlsx",
        "delivery.xlsx",
    ];
    if !known.contains(&file.as_str()) {
        return Err(ApiError::not_found(format!(
            "no such file of the record: use one of {}, dossier.zip",
            known.join(", ")
        )));
    }
    engine::may_export_record(&call.actor).map_err(refused)?;
    let out = drawn(&state, &call, move |s, app| {
        let t = title(s);
        let minutes_name = |ext| {
            let what = if s.closed() {
                "Biên bản"
            } else {
                "Dự thảo biên bản"
            };
            file_name(what, &t, ext)
        };
        Ok(match file.as_str() {
            "minutes.pdf" | "minutes.pdf.sig" => {
                let pdf = record::minutes(s)?.to_pdf().map_err(PaperError::from)?;
                signed(app, minutes_name("pdf"), PDF, pdf, file.ends_with(".sig"))
            }
            "minutes.docx" => File {
                name: minutes_name("docx"),
                kind: DOCX,
                bytes: record::minutes(s)?.to_docx().map_err(PaperError::from)?,
                signature: None,
            },
            "attendance.xlsx" | "attendance.csv" => {
                let csv = file.ends_with(".csv");
                File {
                    name: file_name("Điểm danh", &t, if csv { "csv" } else { "xlsx" }),
                    kind: if csv { CSV } else { XLSX },
                    bytes: record::attendance(s, csv)?,
                    signature: None,
                }
            }
            "speakers.xlsx" => File {
                name: file_name("Danh sách phát biểu", &t, "xlsx"),
                kind: XLSX,
                bytes: record::speakers(&s.state)?,
                signature: None,
            },
            _ => File {
                name: file_name("Tình hình nhận tài liệu", &t, "xlsx"),
                kind: XLSX,
                bytes: record::delivery(s)?,
                signature: None,
            },
        })
    })
    .await?;
    Ok(out.into_response())
}

/// `GET …/record/polls/{poll}/{file}`: `counting-report.pdf` (signed; `.sig`),
/// `counting-report.docx`, `result.xlsx`.
async fn poll_file(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((meeting, poll, file)): Path<(MeetingId, PollId, String)>,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    let known = [
        "counting-report.pdf",
        "counting-report.pdf.sig",
        "counting-report.docx",
        "result.xlsx",
    ];
    if !known.contains(&file.as_str()) {
        return Err(ApiError::not_found(format!(
            "no such file of a poll: use one of {}",
            known.join(", ")
        )));
    }
    engine::may_export_record(&call.actor).map_err(refused)?;
    let out = drawn(&state, &call, move |s, app| {
        let p = s
            .state
            .polls
            .get(poll)
            .ok_or_else(|| ApiError::not_found("no such poll in this meeting"))?;
        let t = &p.poll.title;
        Ok(match file.as_str() {
            "result.xlsx" => File {
                name: file_name("Kết quả", t, "xlsx"),
                kind: XLSX,
                bytes: record::poll_result(&s.state, p)?,
                signature: None,
            },
            "counting-report.docx" => File {
                name: file_name("Biên bản kiểm phiếu", t, "docx"),
                kind: DOCX,
                bytes: record::counting_report(s, poll)?
                    .to_docx()
                    .map_err(PaperError::from)?,
                signature: None,
            },
            _ => {
                let pdf = record::counting_report(s, poll)?
                    .to_pdf()
                    .map_err(PaperError::from)?;
                let name = file_name("Biên bản kiểm phiếu", t, "pdf");
                signed(app, name, PDF, pdf, file.ends_with(".sig"))
            }
        })
    })
    .await?;
    Ok(out.into_response())
}

/// `GET …/record/opinions/{request}/summary.xlsx`: the compiled opinions as a workbook.
async fn opinion_file(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path((meeting, request, file)): Path<(MeetingId, OpinionRequestId, String)>,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    if file != "summary.xlsx" {
        return Err(ApiError::not_found(
            "no such file of an opinion request: use summary.xlsx (summary.csv and \
             summary.json are under …/opinions/{request}/)",
        ));
    }
    let summary = call
        .handle
        .read(|s| engine::opinion_summary_for(s, &call.actor, request))
        .map_err(refused)?;
    let name = file_name("Tổng hợp ý kiến", &summary.title, "xlsx");
    let bytes = tokio::task::spawn_blocking(move || record::opinion_summary_xlsx(&summary))
        .await
        .map_err(|e| ApiError::internal("export task", e))??;
    Ok(File {
        name,
        kind: XLSX,
        bytes,
        signature: None,
    }
    .into_response())
}

/// Builds the dossier into a temporary file under `DATA/tmp` and streams it; the file is
/// unlinked as soon as it is open, so nothing is left behind whatever happens next.
async fn dossier(
    state: Arc<AppState>,
    call: InMeeting,
    meeting: MeetingId,
) -> Result<Response, ApiError> {
    let build = state.record.start(meeting);
    let progress = build.progress.clone();
    let _permit = export_turn(&state).await?;
    // The meeting is copied only once this build may start: a request waiting for a
    // permit holds no copy of a large meeting.
    let snapshot_state = call.handle.read(|s| s.clone());
    let app = state.clone();
    let path = state
        .config
        .data
        .join("tmp")
        .join(format!("dossier-{}.zip", uuid::Uuid::new_v4()));
    let at = path.clone();
    let built = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let snapshot = Snapshot::read(snapshot_state, &app.store)
            .map_err(|e| ApiError::internal("reading the log", e))?;
        let title = title(&snapshot);
        let mut out =
            std::fs::File::create(&at).map_err(|e| ApiError::internal("dossier file", e))?;
        let result = record::dossier::build(
            &snapshot,
            app.store.blobs(),
            &app.signer,
            &mut out,
            &progress,
        );
        let built = match result {
            Ok(built) => built,
            Err(e) => {
                let _ = std::fs::remove_file(&at);
                return Err(match e {
                    record::DossierError::Paper(p) => ApiError::from(p),
                    other => ApiError::internal("building the dossier", other),
                });
            }
        };
        tracing::info!(
            meeting = %meeting,
            files = built.manifest.files.len(),
            bytes = built.size,
            ms = started.elapsed().as_millis() as u64,
            "dossier built"
        );
        Ok((built.size, title))
    })
    .await
    .map_err(|e| ApiError::internal("dossier task", e))?;
    let (size, title) = built?;
    let file = tokio::fs::File::open(&path).await;
    let _ = tokio::fs::remove_file(&path).await;
    let file = file.map_err(|e| ApiError::internal("dossier file", e))?;
    drop(build);
    let body = Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        file,
        256 * 1024,
    ));
    let name = file_name("Hồ sơ cuộc họp", &title, "zip");
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                files::content_disposition(&name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// `GET …/record/dossier/progress`: `{"building", "done", "total"}` in bytes of content,
/// while a dossier of the meeting is being built.
async fn dossier_progress(
    State(state): State<Arc<AppState>>,
    Caller(principal): Caller,
    Path(meeting): Path<MeetingId>,
) -> Result<Response, ApiError> {
    let call = in_meeting(&state, &principal, meeting).await?;
    engine::may_take_dossier(&call.actor).map_err(refused)?;
    let p = state.record.progress(meeting);
    let (done, total) = p.map_or((0, 0), |p| {
        (
            p.done.load(Ordering::Relaxed),
            p.total.load(Ordering::Relaxed),
        )
    });
    Ok(Json(serde_json::json!({
        "building": total > 0 || state.record.progress(meeting).is_some(),
        "done": done,
        "total": total,
    }))
    .into_response())
}
