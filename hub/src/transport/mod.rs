//! HTTP and WebSocket transport (axum). Handlers translate between the wire and the live
//! layer; they decide nothing themselves.

mod admission;
mod archive;
mod attachments;
mod auth;
pub(crate) mod ballots;
mod calendar;
mod devices;
mod documents;
mod error;
pub(crate) mod files;
pub mod gate;
mod hot_documents;
mod invitations;
mod join;
mod library;
mod notes;
mod office;
mod opinions;
mod polls;
mod print;
mod public;
mod record;
mod rest;
mod search;
pub mod senders;
mod web;
mod ws;

pub use auth::TOKEN_COOKIE;
pub use error::ApiError;
pub(crate) use hot_documents::HotDocuments;

use crate::config::Config;
use crate::live::Meetings;
use crate::store::Store;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// Everything a handler may reach, shared through axum's `State`.
#[derive(Debug)]
pub struct AppState {
    pub config: Config,
    pub store: Store,
    pub meetings: Meetings,
    /// The office's directory: people, bodies, devices, invitations.
    pub office: crate::live::Office,
    /// Base of join URLs, e.g. `https://192.168.1.10:8080`.
    pub public_base: String,
    /// Where a tablet installs the hub's own CA certificate (`http://…/ca`) and its
    /// fingerprint, for the badge sheet's first page; `None` without HTTPS or with the
    /// office's certificate.
    pub ca_page: Option<crate::badges::CaNotice>,
    /// The `ca=` of join links: the SHA-256 of the hub's own CA, in hex; `None` without
    /// HTTPS or with the office's certificate.
    pub join_ca: Option<String>,
    /// Open WebSocket connections, bounded by `limits.max_connections`.
    pub connections: AtomicUsize,
    /// Turns true when the hub shuts down; every connection loop watches it.
    pub shutdown: watch::Receiver<bool>,
    /// The hub's key, signing exported results.
    pub signer: crate::signing::Signer,
    /// Signature checks of uploads and readers' watermarked copies.
    pub trust: crate::trust::DocumentTrust,
    /// Every WebSocket session, so a shutdown waits for them to end.
    pub sessions: tokio_util::task::TaskTracker,
    /// Each sender's budget of commands and uploads, over every transport.
    pub senders: senders::SenderLimits,
    /// The record's exports under way (dossier progress, at most two builds at once).
    pub record: crate::record::Exports,
    /// Sealed ballots' proofs being checked, at most one per core.
    pub ballot_checks: ballots::BallotChecks,
    /// The documents in demand, held in memory once for every download.
    pub(crate) hot_documents: hot_documents::HotDocuments,
    /// The search index of the archive and the library.
    pub archive: Arc<crate::archive::Archive>,
    /// The library's shelves.
    pub library: crate::library::Library,
}

/// The hub's routes.
pub fn router(state: Arc<AppState>) -> Router {
    let limits = &state.config.limits;
    let body_limit = limits.max_request_bytes;
    // A command is one frame whichever way it comes: REST takes no larger one than the socket.
    let commands = Router::new()
        .route("/meetings/{meeting}/commands", post(rest::run_command))
        .layer(DefaultBodyLimit::max(limits.max_frame_bytes));
    let api = Router::new()
        .merge(commands)
        .route("/ws", get(ws::upgrade))
        .route(
            "/meetings",
            get(rest::list_meetings).post(rest::create_meeting),
        )
        .route("/meetings/{meeting}", get(rest::get_meeting))
        .route("/meetings/{meeting}/agenda", post(rest::add_agenda_item))
        .route(
            "/meetings/{meeting}/participants",
            post(rest::add_participant),
        )
        .route(
            "/meetings/{meeting}/participants/import",
            post(rest::import_participants),
        )
        .route(
            "/meetings/{meeting}/participants/{participant}/token",
            post(rest::reissue_token).delete(rest::revoke_token),
        )
        .merge(document_routes())
        .merge(office_routes(limits))
        .merge(record::routes())
        .route(
            "/meetings/{meeting}/opinions/{request}/{file}",
            get(opinions::summary),
        )
        .route("/calendar", get(calendar::calendar))
        .route("/search", get(search::search))
        .route("/archive", get(archive::list))
        .route("/library", get(library::list))
        .route("/library/shelves", post(library::create_shelf))
        .route(
            "/library/{shelf}/documents/{document}",
            get(library::download_item),
        )
        .route(
            "/meetings/{meeting}/speakers.csv",
            get(opinions::speakers_csv),
        )
        .route(
            "/meetings/{meeting}/participants/{participant}/notes",
            get(notes::list),
        )
        .route("/signing-key", get(polls::signing_key))
        .route(
            "/meetings/{meeting}/polls/{poll}/{file}",
            get(polls::export),
        )
        // Everything but uploads answers within the request timeout: reading a body of
        // at most `max_request_bytes`, deciding and answering (a download's bytes stream
        // after the answer's head and are not counted).
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout(),
        ))
        .merge(upload_routes(limits))
        .fallback(|| async { ApiError::not_found("no such API route") });
    Router::new()
        .route("/healthz", get(healthz))
        .route("/", get(web::index))
        .route("/sw.js", get(web::service_worker))
        .route("/vendor/pdfjs/{file}", get(web::pdfjs))
        .route("/vendor/js-sha256/{file}", get(web::sha256js))
        .route("/vendor/ballot-box.wasm", get(web::ballot_box_wasm))
        .route("/js/{*path}", get(web::script))
        .route("/css/{*path}", get(web::style))
        .route("/j/{token}", get(join::join))
        .route("/e/{code}", get(web::enrol_page))
        .route("/home", get(web::home_page))
        .route("/p/{link}", get(public::page))
        .route("/p/{link}/qr.png", get(public::qr))
        .route(
            "/p/{link}/documents/{document}",
            get(documents::public_download),
        )
        .nest("/api/v1", api)
        .layer(DefaultBodyLimit::max(body_limit))
        // A body that stops arriving (a request that declares 2 GB and sends 10 bytes) is
        // cut after this pause, whatever the route.
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout()))
        .layer(middleware::from_fn(error::json_errors))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// Uploads get their own body limit (the global one is for JSON) and no request timeout:
/// 200 MiB over a busy hall's Wi-Fi takes minutes. Only the secretariat may upload, checked
/// before a byte is read, and a body that pauses is still cut by the body timeout.
fn upload_routes(limits: &crate::config::Limits) -> Router<Arc<AppState>> {
    // Room for the form's other fields around the file; the file itself is capped exactly
    // while it streams.
    let upload_limit = usize::try_from(limits.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(1024 * 1024);
    Router::new()
        .route(
            "/meetings/{meeting}/documents",
            post(documents::upload).get(documents::list),
        )
        .route(
            "/meetings/{meeting}/documents/{document}/versions",
            post(documents::upload_version),
        )
        .route("/meetings/{meeting}/files", post(attachments::upload))
        .layer(DefaultBodyLimit::max(upload_limit))
}

/// The office's directory, devices and invitations (issue 18). Each body is a small JSON
/// object, but an import is a whole CSV file: it gets the request limit, the others 64 KiB.
fn office_routes(limits: &crate::config::Limits) -> Router<Arc<AppState>> {
    use axum::routing::delete;
    let small = Router::new()
        .route(
            "/office/people",
            get(office::people).post(office::add_person),
        )
        .route("/office/people/{person}", post(office::update_person))
        .route("/office/people/{person}/enrolment", post(office::enrolment))
        .route(
            "/office/people/{person}/enrolment.png",
            post(office::enrolment_qr),
        )
        .route("/office/bodies", get(office::bodies).post(office::add_body))
        .route("/office/bodies/{body}/members", post(office::add_member))
        .route(
            "/office/bodies/{body}/members/{person}",
            delete(office::remove_member),
        )
        .route("/office/devices", get(office::devices))
        .route("/office/devices/{device}", delete(office::revoke_device))
        .route(
            "/office/devices/{device}/unlock",
            post(office::unlock_device),
        )
        .route(
            "/meetings/{meeting}/summon",
            post(invitations::summon_people),
        )
        .route(
            "/meetings/{meeting}/invitation",
            get(invitations::list).post(invitations::send),
        )
        .route("/enrol", post(devices::enrol))
        .route("/me", get(devices::me))
        .route("/me/invitations/{meeting}", post(invitations::answer))
        .layer(DefaultBodyLimit::max(64 * 1024));
    Router::new()
        .route("/office/people/import", post(office::import_people))
        .layer(DefaultBodyLimit::max(limits.max_request_bytes))
        .merge(small)
}

/// Documents, badges and QR codes (issue 3).
fn document_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/meetings/{meeting}/documents/{document}",
            get(documents::download_current),
        )
        .route(
            "/meetings/{meeting}/documents/{document}/versions/{version}",
            get(documents::download_version),
        )
        .route(
            "/meetings/{meeting}/documents/{document}/delivery",
            get(documents::delivery),
        )
        .route(
            "/meetings/{meeting}/incoming/{item}/file",
            get(attachments::incoming_file),
        )
        .route(
            "/meetings/{meeting}/opinions/{request}/attachments/{n}",
            get(attachments::opinion_attachment),
        )
        .route("/meetings/{meeting}/public", get(print::public_link))
        .route("/meetings/{meeting}/badges.pdf", get(print::sheet))
        .route(
            "/meetings/{meeting}/participants/{participant}/qr.png",
            get(print::participant_qr),
        )
        .route(
            "/meetings/{meeting}/participants/{participant}/badge.pdf",
            get(print::one_badge),
        )
}

async fn healthz(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    // Every meeting of the hub, and those in memory now (closed ones load on demand).
    let (meetings, loaded) = state.meetings.count();
    Json(serde_json::json!({
        "status": "ok",
        "meetings": meetings,
        "loaded": loaded,
        "connections": state.connections.load(Ordering::Relaxed),
        "flushes": state.store.flush_count(),
        // For the desk: when the data was last backed up (never a path or a file name).
        "last_backup": crate::backup::last(&state.config.data),
    }))
}

/// Logs each request by its route pattern, never its raw path: join URLs carry tokens.
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
